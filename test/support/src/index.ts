export { databaseUrlForTests, dropSchema, uniqueSchemaName } from './postgres.js';
export {
  deleteStreams,
  freePort,
  natsUrlForTests,
  startNatsServer,
  uniqueBusNames,
  type NatsServerProcess,
} from './nats.js';
export { seededRandom } from './random.js';
export { isolatedServiceEnv, type IsolatedServiceEnv } from './service-env.js';
export { TcpProxy } from './tcp-proxy.js';
export { eventually, eventuallyFound } from './eventually.js';
export { streamMessageCount } from './stream-inspect.js';
export { startRegistry, type TestRegistry } from './registry.js';
export { podmanRun, pushNodeBaseImage, skopeoInspect } from './node-base-image.js';
export { startPrometheus, type ScrapeJob, type TestPrometheus } from './prometheus.js';
export {
  Platform,
  PLATFORM_SERVICES,
  type PlatformOptions,
  type PlatformService,
} from './platform/platform.js';
export { ServiceProcess, type ProcessExit } from './platform/service-process.js';
export { type RecordedEvent } from './platform/platform-records.js';
