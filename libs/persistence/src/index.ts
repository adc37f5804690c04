export {
  Database,
  DatabaseUnavailableError,
  type DatabaseHealth,
  type DatabaseOptions,
  type DatabaseTarget,
} from './database.js';
export { PGliteHost, type PGliteHostOptions } from './pglite/pglite-host.js';
export { OutboxEntry } from './outbox/outbox-entry.entity.js';
export { InboxEntry } from './outbox/inbox-entry.entity.js';
export {
  InboxMigration,
  OutboxMigration,
  outboxMigrations,
  persistenceEntities,
  persistenceMigrations,
} from './outbox/outbox.migrations.js';
export {
  enqueue,
  enqueueMessage,
  enqueueMessages,
  outboxInsert,
  type OutgoingMessage,
} from './outbox/enqueue.js';
export { handleOnce } from './outbox/handle-once.js';
export {
  OutboxRelay,
  type EnvelopePublisher,
  type OutboxRelayFaults,
  type OutboxRelayOptions,
} from './outbox/outbox-relay.js';
