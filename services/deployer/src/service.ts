import { type ServiceDefinition } from '@aviary/runtime';
import { loadDeployerConfig } from './config/deployer-config.js';
import { DeployerModule } from './deployer.module.js';
import { deployerEntities } from './store/release.entity.js';
import { deployerMigrations } from './store/migrations.js';

export const deployerService: ServiceDefinition = {
  name: 'deployer',
  moduleFor: ({ env }) => DeployerModule.forRoot(loadDeployerConfig(env)),
  entities: deployerEntities,
  migrations: deployerMigrations,
};
