import { z } from 'zod';
import { defineEvent } from '../contract.js';
import { ApplicationName, Id, Timestamp, Trigger } from './common.js';
import { NotificationSettings } from './notification.js';

export const ExecutionStatus = z.enum([
  'NOT_STARTED',
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'TERMINAL',
]);

/** What every execution event says about the execution it is about. */
export const ExecutionRef = z.object({
  executionId: Id,
  application: ApplicationName,
  pipeline: z.string().min(1),
  trigger: Trigger,
});

export const ExecutionCreated = defineEvent({
  path: 'execution.created',
  description: 'An execution was created from a trigger and its pipeline resolved; it has not started yet.',
  schema: ExecutionRef.extend({
    stages: z.array(z.object({ stageId: Id, type: z.string().min(1), dependsOn: z.array(Id) })),
    createdAt: Timestamp,
    /** The pipeline file's `notifications:` section, when it has one (the notifier applies it). */
    notifications: NotificationSettings.optional(),
  }),
});

export const ExecutionStarted = defineEvent({
  path: 'execution.started',
  description: 'The first stage of an execution was dispatched.',
  schema: ExecutionRef.extend({ startedAt: Timestamp }),
});

export const ExecutionCompleted = defineEvent({
  path: 'execution.completed',
  description: 'Every stage of an execution ended successfully (or was skipped).',
  schema: ExecutionRef.extend({ completedAt: Timestamp, durationMs: z.int().min(0) }),
});

export const ExecutionFailed = defineEvent({
  path: 'execution.failed',
  description: 'An execution ended in failure; `reason` says which stage failed and why.',
  schema: ExecutionRef.extend({
    failedAt: Timestamp,
    durationMs: z.int().min(0),
    failedStageId: Id.optional(),
    reason: z.string().min(1),
  }),
});

export const ExecutionCancelled = defineEvent({
  path: 'execution.cancelled',
  description: 'An execution was cancelled by a person, by a newer push, or by the watchdog.',
  schema: ExecutionRef.extend({
    cancelledAt: Timestamp,
    cancelledBy: z.string().min(1),
    reason: z.string().min(1),
  }),
});
