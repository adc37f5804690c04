export { canaryService } from './service.js';
export { CanaryModule } from './canary.module.js';
export { CanaryEnvironment, loadCanaryConfig } from './config/canary-service-config.js';
