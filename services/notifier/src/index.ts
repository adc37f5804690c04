export { notifierService } from './service.js';
export { NotifierModule } from './notifier.module.js';
export { verifyWebhook, signWebhook, SIGNATURE_HEADER } from './channels/webhook/cloudevent-signature.js';
export { NotifierEnvironment, loadNotifierConfig } from './config/notifier-config.js';
