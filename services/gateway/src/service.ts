import { type ServiceDefinition } from '@aviary/runtime';
import { GatewayModule } from './gateway.module.js';

export const gatewayService: ServiceDefinition = {
  name: 'gateway',
  module: GatewayModule,
};
