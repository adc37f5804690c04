export { builderService } from './service.js';
export { BuilderModule } from './builder.module.js';
export { BuilderEnvironment, loadBuilderConfig, type BuilderConfig } from './config/builder-config.js';
