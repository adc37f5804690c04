import { type ServiceDefinition } from '@aviary/runtime';
import { BuilderModule } from './builder.module.js';

export const builderService: ServiceDefinition = {
  name: 'builder',
  module: BuilderModule,
};
