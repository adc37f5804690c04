import { type NotificationEvent, type NotificationSettings } from '@aviary/events';
import { type ExecutionEvent } from '../executions/execution-snapshot.js';

/** What the application's channels get unless subscriptions say more: failures, judgments, rollbacks. */
export const DEFAULT_EVENTS: readonly NotificationEvent[] = [
  'execution.failed',
  'canary.failed',
  'judgment.requested',
  'rollback.done',
];

/**
 * The settings in force for an execution: the pipeline file's and the API's together (channels and
 * subscriptions of both; an API template wins over the file's), or the notifier's default channels
 * when neither names a channel.
 */
export function effectiveSettings(
  file: NotificationSettings | undefined,
  api: NotificationSettings | undefined,
  defaultChannels: readonly string[],
): NotificationSettings {
  const channels = [...new Set([...(file?.channels ?? []), ...(api?.channels ?? [])])];
  const subscriptions = [...(file?.subscriptions ?? []), ...(api?.subscriptions ?? [])];
  const statusContext = api?.statusContext ?? file?.statusContext;
  return {
    channels: channels.length === 0 && subscriptions.length === 0 ? [...defaultChannels] : channels,
    subscriptions,
    templates: { ...file?.templates, ...api?.templates },
    ...(statusContext === undefined ? {} : { statusContext }),
  };
}

const isStatusChannel = (target: string) => target.startsWith('github:') || target.startsWith('gitlab:');

/** Every channel the settings name, once. */
export function allChannels(settings: NotificationSettings): string[] {
  return [...new Set([...settings.channels, ...settings.subscriptions.map((s) => s.channel)])];
}

/** The channels that hear about `event`: the application's channels by default, plus subscriptions. */
export function channelsFor(settings: NotificationSettings, event: NotificationEvent): string[] {
  const targets = new Set<string>();
  for (const channel of settings.channels)
    if (!isStatusChannel(channel) && DEFAULT_EVENTS.includes(event)) targets.add(channel);
  for (const subscription of settings.subscriptions)
    if (!isStatusChannel(subscription.channel) && subscription.events.includes(event))
      targets.add(subscription.channel);
  return [...targets];
}

/** Commit status channels follow every execution (and with `:stages`, every stage) whatever the events. */
export function statusChannels(settings: NotificationSettings): string[] {
  return allChannels(settings).filter(isStatusChannel);
}

/** The notification an event is, for subscriptions (most events are only changes of the execution). */
export function notificationOf(event: ExecutionEvent): NotificationEvent | undefined {
  switch (event.kind) {
    case 'started':
      return 'execution.started';
    case 'completed':
      return 'execution.succeeded';
    case 'failed':
      return 'execution.failed';
    case 'cancelled':
      return 'execution.canceled';
    case 'stage-changed':
      return ['FAILED', 'TERMINAL', 'FAILED_CONTINUE'].includes(event.data.to) &&
        event.data.from !== event.data.to
        ? 'stage.failed'
        : undefined;
    case 'judgment-requested':
      return 'judgment.requested';
    case 'canary-completed':
      return event.data.outputs['verdict'] === 'marginal' ? 'canary.marginal' : 'canary.passed';
    case 'canary-failed':
      return 'canary.failed';
    case 'release-changed':
      return event.data.state === 'rolled-back' ? 'rollback.done' : undefined;
    default:
      return undefined;
  }
}
