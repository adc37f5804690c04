export { notifierService } from './service.js';
export { NotifierModule } from './notifier.module.js';
