export { type Bus, type BusHealth } from './bus.js';
export { type Feed, type StreamedEvent, type SubscribeEventsOptions } from './feeds/feeds.js';
export { BusClient } from './bus-client.js';
export { BusContext } from './bus-context.js';
export { BUS_TRANSPORT, BusServer, type BusStatus } from './bus-server.js';
export { BusExceptionFilter } from './exception-filter.js';
export { BusUnavailableError, QueryError, type QueryErrorCode } from './errors.js';
export { streamNames, type BusOptions, type StreamNames } from './options.js';
export { consumerName } from './patterns.js';
export { createJetStreamBus } from './jetstream/jetstream-bus.js';
export { InProcessBroker, type ConsumerState, type StoredMessage } from './in-process/broker.js';
export { createInProcessBus } from './in-process/in-process-bus.js';
export { type ObjectContent, type ObjectStore, type StoredObject } from './objects/object-store.js';
export { FolderObjectStore } from './objects/folder-objects.js';
export {
  ARTIFACTS_BUCKET,
  artifactObjectName,
  artifactUrl,
  PackageLayer,
  PackageManifest,
} from './objects/artifacts.js';
