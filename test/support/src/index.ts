export { databaseUrlForTests, dropSchema, uniqueSchemaName } from './postgres.js';
export {
  deleteStreams,
  freePort,
  natsUrlForTests,
  startNatsServer,
  uniqueBusNames,
  type NatsServerProcess,
} from './nats.js';
