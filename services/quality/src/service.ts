import { type ServiceDefinition } from '@aviary/runtime';
import { loadQualityConfig } from './config/quality-config.js';
import { QualityModule } from './quality.module.js';
import { qualityEntities } from './store/analysis.entity.js';
import { qualityMigrations } from './store/migrations.js';

export const qualityService: ServiceDefinition = {
  name: 'quality',
  moduleFor: ({ env }) => QualityModule.forRoot(loadQualityConfig(env)),
  entities: qualityEntities,
  migrations: qualityMigrations,
};
