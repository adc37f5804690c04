import { type ServiceDefinition } from '@aviary/runtime';
import { DeployerModule } from './deployer.module.js';

export const deployerService: ServiceDefinition = {
  name: 'deployer',
  module: DeployerModule,
};
