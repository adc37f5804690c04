export { EnvelopeSchema, buildEnvelope, type Envelope, type EnvelopeMeta } from './envelope.js';
export {
  SUBJECT_ROOT,
  canonicalFromRoot,
  defineCommand,
  defineEvent,
  defineQuery,
  envelopeFor,
  subjectMatches,
  subjectUnderRoot,
  type AnyContract,
  type DataOf,
  type MessageContract,
  type MessageKind,
  type QueryContract,
  type ReplyOf,
} from './contract.js';
export { ALL_CONTRACTS, ContractRegistry } from './registry.js';
export { dataJsonSchema, envelopeJsonSchema, type JsonSchema } from './json-schema.js';
export { buildAsyncApiDocument } from './asyncapi.js';
export * from './messages/common.js';
export * from './messages/webhook.js';
export * from './messages/execution.js';
export * from './messages/orchestrator.js';
export * from './messages/stage.js';
export * from './messages/judgment.js';
export * from './messages/notification.js';
export * from './messages/file-query.js';
export * from './messages/dead-letter.js';
export * from './messages/log.js';
export * from './messages/reports.js';
export * from './messages/deployer.js';
