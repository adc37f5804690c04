import { type ServiceDefinition } from '@aviary/runtime';
import { CanaryModule } from './canary.module.js';
import { loadCanaryConfig } from './config/canary-service-config.js';
import { canaryEntities } from './store/entities.js';
import { canaryMigrations } from './store/migrations.js';

export const canaryService: ServiceDefinition = {
  name: 'canary',
  moduleFor: ({ env }) => CanaryModule.forRoot(loadCanaryConfig(env)),
  entities: canaryEntities,
  migrations: canaryMigrations,
};
