import { type ServiceDefinition } from '@aviary/runtime';
import { loadNotifierConfig } from './config/notifier-config.js';
import { NotifierModule } from './notifier.module.js';
import { notifierMigrations } from './store/migrations.js';

export const notifierService: ServiceDefinition = {
  name: 'notifier',
  moduleFor: ({ env }) => NotifierModule.forRoot(loadNotifierConfig(env)),
  migrations: notifierMigrations,
};
