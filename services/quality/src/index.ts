export { qualityService } from './service.js';
export { QualityModule } from './quality.module.js';
export { QualityEnvironment, loadQualityConfig } from './config/quality-config.js';
