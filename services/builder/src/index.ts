export { builderService } from './service.js';
export { BuilderModule } from './builder.module.js';
export { loadBuilderConfig, type BuilderConfig } from './config/builder-config.js';
