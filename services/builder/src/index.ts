export { builderService } from './service.js';
export { BuilderModule } from './builder.module.js';
