import { type ServiceDefinition } from '@aviary/runtime';
import { QualityModule } from './quality.module.js';

export const qualityService: ServiceDefinition = {
  name: 'quality',
  module: QualityModule,
};
