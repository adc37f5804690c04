import { type ServiceDefinition } from '@aviary/runtime';
import { loadOrchestratorConfig } from './config/orchestrator-config.js';
import { OrchestratorModule } from './orchestrator.module.js';
import { orchestratorEntities } from './store/entities.js';
import { orchestratorMigrations } from './store/migrations.js';

export const orchestratorService: ServiceDefinition = {
  name: 'orchestrator',
  moduleFor: ({ env }) => OrchestratorModule.forRoot(loadOrchestratorConfig(env)),
  entities: orchestratorEntities,
  migrations: orchestratorMigrations,
};
