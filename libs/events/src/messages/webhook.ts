import { z } from 'zod';
import { defineEvent } from '../contract.js';
import { ApplicationName, Id, Timestamp, Trigger } from './common.js';

export const WebhookReceived = defineEvent({
  path: 'webhook.received',
  description:
    'The gateway verified a webhook from a git provider and resolved the application; the orchestrator starts an execution from it.',
  schema: z.object({
    deliveryId: Id,
    application: ApplicationName,
    trigger: Trigger,
    receivedAt: Timestamp,
  }),
});
