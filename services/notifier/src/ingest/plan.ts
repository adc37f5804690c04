import { type NotificationSettings } from '@aviary/events';
import { type Channel, InvalidChannelError, modeOf, parseChannel } from '../channels/channel-target.js';
import { type RenderedMessage } from '../channels/message.js';
import { type NewDelivery } from '../delivery/delivery-log.js';
import { type ExecutionEvent, type ExecutionSnapshot } from '../executions/execution-snapshot.js';
import { channelsFor, notificationOf, statusChannels } from '../subscriptions/subscriptions.js';
import { escapeSlack, renderMessage } from '../templates/templates.js';
import { type MessageView, buildView } from '../templates/view.js';

/** The events that change what a commit status shows for the whole execution. */
const EXECUTION_STATUS_EVENTS = new Set([
  'created',
  'started',
  'completed',
  'failed',
  'cancelled',
  'paused',
  'resumed',
]);

export interface Plan {
  deliveries: NewDelivery[];
  /** Slack channels that get a message for this execution from now on. */
  openSlack: string[];
  /** Channels named in the settings that are not valid targets. */
  invalid: string[];
}

function parse(target: string, invalid: string[]): Channel | undefined {
  try {
    return parseChannel(target);
  } catch (error) {
    if (error instanceof InvalidChannelError) invalid.push(target);
    else throw error;
    return undefined;
  }
}

/** A per-event message rendered for a channel kind (Slack's markup escapes values). */
export function renderFor(
  kind: string,
  event: string,
  view: MessageView,
  templates: NotificationSettings['templates'],
  time: string,
): RenderedMessage {
  const rendered = renderMessage(
    event,
    kind,
    view,
    templates,
    kind.startsWith('slack') ? escapeSlack : undefined,
  );
  return { title: rendered.title, body: rendered.body, view, time };
}

/**
 * What one event of an execution sends: a message to each channel subscribed to what it is, the
 * execution's Slack messages updated, commit statuses set. Keyed by the event id, so the same event
 * delivered twice plans the same rows and the log keeps the first.
 */
export function planDeliveries(input: {
  event: ExecutionEvent;
  eventId: string;
  eventType: string;
  snapshot: ExecutionSnapshot;
  settings: NotificationSettings;
  slackMessages: string[];
  uiUrl: string;
}): Plan {
  const { event, snapshot, settings } = input;
  const base = {
    eventId: input.eventId,
    eventType: input.eventType,
    application: snapshot.application,
    executionId: snapshot.executionId,
  };
  const plan: Plan = { deliveries: [], openSlack: [], invalid: [] };
  const notification = notificationOf(event);
  const stageId =
    event.kind === 'stage-changed'
      ? event.data.stageId
      : 'stageId' in event.data
        ? event.data.stageId
        : undefined;
  const slackTargets = new Set(input.slackMessages);
  if (notification) {
    const view = buildView(snapshot, {
      uiUrl: input.uiUrl,
      event: notification,
      ...(typeof stageId === 'string' ? { stageId } : {}),
    });
    for (const target of channelsFor(settings, notification)) {
      const channel = parse(target, plan.invalid);
      if (!channel) continue;
      if (modeOf(channel) === 'slack-sync') {
        if (!slackTargets.has(target)) plan.openSlack.push(target);
        slackTargets.add(target);
        continue;
      }
      plan.deliveries.push({
        ...base,
        target,
        mode: 'message',
        notification,
        payload: {
          mode: 'message',
          message: renderFor(channel.kind, notification, view, settings.templates, event.at),
        },
      });
    }
  }
  for (const target of slackTargets)
    plan.deliveries.push({
      ...base,
      target,
      mode: 'slack-sync',
      notification: notification ?? 'update',
      payload: { mode: 'slack-sync' },
    });
  for (const target of statusChannels(settings)) {
    const channel = parse(target, plan.invalid);
    if (!channel || (channel.kind !== 'github' && channel.kind !== 'gitlab')) continue;
    if (EXECUTION_STATUS_EVENTS.has(event.kind))
      plan.deliveries.push({
        ...base,
        target,
        mode: 'status',
        notification: notification ?? 'status',
        payload: { mode: 'status' },
      });
    else if (event.kind === 'stage-changed' && channel.stages)
      // Several stage statuses per event id cannot collide: one stage changes per event.
      plan.deliveries.push({
        ...base,
        target,
        mode: 'status',
        notification: notification ?? 'status',
        payload: { mode: 'status', stageId: event.data.stageId },
      });
  }
  return plan;
}
