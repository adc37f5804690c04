import { type ServiceDefinition } from '@aviary/runtime';
import { OrchestratorModule } from './orchestrator.module.js';

export const orchestratorService: ServiceDefinition = {
  name: 'orchestrator',
  module: OrchestratorModule,
};
