export { canaryService } from './service.js';
export { CanaryModule } from './canary.module.js';
