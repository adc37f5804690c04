import { type ServiceDefinition } from '@aviary/runtime';
import { BuilderModule } from './builder.module.js';
import { loadBuilderConfig } from './config/builder-config.js';
import { builderMigrations } from './store/migrations.js';

export const builderService: ServiceDefinition = {
  name: 'builder',
  moduleFor: ({ env }) => BuilderModule.forRoot(loadBuilderConfig(env), env),
  migrations: builderMigrations,
};
