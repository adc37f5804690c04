export { qualityService } from './service.js';
export { QualityModule } from './quality.module.js';
