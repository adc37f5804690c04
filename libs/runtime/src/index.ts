export {
  ConfigError,
  DEFAULT_PORTS,
  SERVICE_NAMES,
  ServiceEnvironment,
  loadServiceConfig,
  processEnvironment,
  type ServiceConfig,
  type ServiceName,
} from './config/service-config.js';
export { readRepositoryFile, type RepositoryFile } from './repository-file.js';
export { LOGGER, RuntimeModule, SERVICE_CONFIG, type RuntimeParts } from './runtime.module.js';
export {
  runService,
  startService,
  type EmbeddedInfrastructure,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  type StartOptions,
} from './bootstrap.js';
