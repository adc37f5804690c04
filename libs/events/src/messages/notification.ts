import { z } from 'zod';
import { defineCommand, defineQuery } from '../contract.js';
import { ApplicationName, Id, JsonRecord, Timestamp } from './common.js';

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

/** What a subscription can listen to: the moments of an execution a team wants to hear about. */
export const NOTIFICATION_EVENTS = [
  'execution.started',
  'execution.succeeded',
  'execution.failed',
  'execution.canceled',
  'stage.failed',
  'canary.passed',
  'canary.marginal',
  'canary.failed',
  'judgment.requested',
  'rollback.done',
] as const;
export const NotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/**
 * Where a notification goes, `kind:address`: `slack:#deploys` (bot token), `slack-webhook:<name>`
 * (an incoming webhook configured on the notifier), `email:team@example.com`, `webhook:<name>` or
 * `webhook:https://...`, `github:status` / `github:stages`, `gitlab:status` / `gitlab:stages`.
 * Credentials are never part of it: they are the notifier's configuration, found by name.
 */
export const ChannelTarget = z
  .string()
  .max(500)
  .regex(/^[a-z][a-z0-9-]*:\S.*$/, {
    error:
      'a channel is kind:address, e.g. slack:#deploys, email:team@example.com, webhook:<name>, github:status',
  });

export const NotificationSubscription = z
  .object({
    channel: ChannelTarget,
    events: z.array(NotificationEvent).min(1),
  })
  .strict();

/** A template override: `{{handlebars}}` over the execution's data, no code. */
export const NotificationTemplate = z
  .object({
    title: z.string().min(1).max(2000).optional(),
    body: z.string().max(20_000).optional(),
  })
  .strict();

const TemplateKey = z
  .string()
  .regex(
    new RegExp(`^([a-z][a-z0-9-]*:)?(${NOTIFICATION_EVENTS.map((e) => e.replace('.', '\\.')).join('|')})$`),
    { error: 'a template key is an event (execution.failed) or kind:event (email:execution.failed)' },
  );

/**
 * An application's notification settings, from its pipeline file (`notifications:`) or set through
 * the API. `channels` get the default events (failures, judgments, rollbacks; every execution
 * status for commit statuses); `subscriptions` choose events channel by channel.
 */
export const NotificationSettings = z
  .object({
    channels: z.array(ChannelTarget).max(50).default([]).meta({
      description:
        "The application's channels: they get failures, canary failures, judgments and rollbacks (commit status channels: every execution status).",
    }),
    subscriptions: z.array(NotificationSubscription).max(100).default([]).meta({
      description: 'Which events go to which channel, beside the defaults of `channels`.',
    }),
    templates: z.record(TemplateKey, NotificationTemplate).default({}).meta({
      description:
        'Overrides of the built-in templates, by event (execution.failed) or by kind and event (email:execution.failed).',
    }),
    statusContext: z.string().min(1).max(200).optional().meta({
      description:
        'Template of the commit status context (default `aviary/{{application}}`, and `/{{stage.id}}` for stage statuses).',
    }),
  })
  .strict();
export type NotificationSettings = z.output<typeof NotificationSettings>;

/**
 * A button pressed in a Slack message the notifier posted (a manual judgment), forwarded by the
 * gateway once it has checked Slack's signature and timestamp.
 */
export const SlackInteraction = defineCommand({
  path: 'notifier.slack-interaction',
  description:
    "A Slack user pressed a button of a notifier's message (Approve or Reject of a manual judgment); the signature was verified by the gateway.",
  schema: z.object({
    teamId: z.string().min(1).optional(),
    user: z.object({
      id: z.string().min(1),
      username: z.string().min(1).optional(),
      name: z.string().min(1).optional(),
    }),
    channelId: z.string().min(1).optional(),
    messageTs: z.string().min(1).optional(),
    actionId: z.string().min(1).max(255),
    value: z.string().max(2000).default(''),
    receivedAt: Timestamp,
  }),
});

export const SetNotificationSettings = defineCommand({
  path: 'notifier.set-settings',
  description:
    "Replace an application's notification settings set through the API (null removes them; the pipeline file's still apply).",
  schema: z.object({
    application: ApplicationName,
    settings: NotificationSettings.nullable(),
    user: z.string().min(1).max(200),
  }),
});

export const GetNotificationSettings = defineQuery({
  path: 'notifier.get-settings',
  description:
    "An application's notification settings set through the API, with what each channel needs that the notifier lacks.",
  schema: z.object({ application: ApplicationName }),
  replySchema: z.object({
    application: ApplicationName,
    settings: NotificationSettings.nullable(),
    updatedBy: z.string().optional(),
    updatedAt: Timestamp.optional(),
    /** Channels the notifier cannot serve as configured, with the reason. */
    problems: z.array(z.object({ channel: z.string(), problem: z.string() })),
  }),
});

export const DeliveryStatus = z.enum(['pending', 'sending', 'delivered', 'dead', 'cancelled']);

export const DeliveryAttempt = z.object({
  attempt: z.int().min(1),
  at: Timestamp,
  durationMs: z.int().min(0),
  outcome: z.enum(['delivered', 'retry', 'dead', 'coalesced']),
  /** The peer's HTTP status or SMTP reply code. */
  statusCode: z.int().optional(),
  error: z.string().optional(),
  /** How long the peer asked to wait (Retry-After). */
  retryAfterMs: z.int().min(0).optional(),
});

export const DeliveryView = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  notification: z.string(),
  application: ApplicationName,
  executionId: Id.optional(),
  channel: z.string(),
  status: DeliveryStatus,
  attempts: z.array(DeliveryAttempt),
  createdAt: Timestamp,
  deliveredAt: Timestamp.optional(),
  nextAttemptAt: Timestamp.optional(),
  lastError: z.string().optional(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const ListDeliveries = defineQuery({
  path: 'notifier.list-deliveries',
  description:
    'Notification deliveries, newest first, with every attempt (status code, error, Retry-After); filtered by application, execution and status.',
  schema: z.object({
    application: ApplicationName.optional(),
    executionId: Id.optional(),
    status: z.array(DeliveryStatus).min(1).optional(),
    limit: z.int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(200).optional(),
  }),
  replySchema: z.object({ deliveries: z.array(DeliveryView), nextCursor: z.string().optional() }),
});
