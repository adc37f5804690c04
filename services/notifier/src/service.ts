import { type ServiceDefinition } from '@aviary/runtime';
import { NotifierModule } from './notifier.module.js';

export const notifierService: ServiceDefinition = {
  name: 'notifier',
  module: NotifierModule,
};
