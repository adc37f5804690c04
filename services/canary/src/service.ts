import { type ServiceDefinition } from '@aviary/runtime';
import { CanaryModule } from './canary.module.js';

export const canaryService: ServiceDefinition = {
  name: 'canary',
  module: CanaryModule,
};
