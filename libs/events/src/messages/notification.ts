import { z } from 'zod';
import { defineCommand } from '../contract.js';
import { ApplicationName, Id, JsonRecord } from './common.js';

export const NotificationRequested = defineCommand({
  path: 'notifier.notify',
  description:
    'Send a notification now (a notify stage, or a system alert) to the channels named, or to the application defaults.',
  schema: z.object({
    application: ApplicationName,
    executionId: Id.optional(),
    stageId: Id.optional(),
    attempt: z.int().min(1).optional(),
    severity: z.enum(['info', 'success', 'warning', 'failure']),
    title: z.string().min(1).max(300),
    text: z.string().max(20_000),
    channels: z.array(z.string().min(1)).optional(),
    fields: JsonRecord.optional(),
  }),
});
