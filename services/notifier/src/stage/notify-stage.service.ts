import {
  type DataOf,
  type Envelope,
  type NotificationRequested,
  StageEvents,
  type StageCommandData,
  type StageCancelData,
} from '@aviary/events';
import { maskSecrets } from '@aviary/observability';
import { DatabaseUnavailableError, enqueueMessage, handleOnce, OutboxRelay } from '@aviary/persistence';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { modeOf, parseChannel } from '../channels/channel-target.js';
import { type NewDelivery } from '../delivery/delivery-log.js';
import { emptySnapshot, type ExecutionSnapshot } from '../executions/execution-snapshot.js';
import { renderFor } from '../ingest/plan.js';
import { NotifierCore } from '../notifier-core.js';
import { allChannels, effectiveSettings } from '../subscriptions/subscriptions.js';
import { renderTemplate } from '../templates/templates.js';
import { buildView } from '../templates/view.js';

const SOURCE = '/aviary/notifier';
const events = StageEvents.notifier;

/** The notify stage's settings as the orchestrator sends them (checked against the pipeline schema there). */
const NotifyStageSettings = z.object({
  channels: z.array(z.string()).default([]),
  message: z.string().optional(),
  failOnError: z.boolean().default(false),
});

const SWEEP_MS = 1000;

/**
 * The notify stage and NotificationRequested: messages to the channels named (or the application's).
 * A stage attempt reports once its deliveries are delivered or dead, or when NOTIFIER_STAGE_WAIT_MS
 * runs out: completed, with outputs saying what was delivered, what failed and what is still being
 * retried; failed only when its settings say `failOnError`.
 */
@Injectable()
export class NotifyStageService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly core: NotifierCore,
    private readonly relay: OutboxRelay,
  ) {
    core.onDeliveryFinished((delivery) => {
      if (delivery.stageRunId) void this.settleQuietly([delivery.stageRunId]);
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async snapshotOf(manager: EntityManager, executionId: string | undefined, application: string) {
    const known = executionId ? await this.core.executions.get(executionId, manager) : undefined;
    return known ?? emptySnapshot(executionId ?? 'none', application);
  }

  private async channelsOf(
    snapshot: ExecutionSnapshot,
    manager: EntityManager,
    named: string[],
  ): Promise<string[]> {
    if (named.length) return named;
    const api = await this.core.settings.get(snapshot.application, manager);
    const settings = effectiveSettings(
      snapshot.notifications,
      api?.settings,
      this.core.config.defaultChannels,
    );
    return allChannels(settings).filter((c) => !c.startsWith('github:') && !c.startsWith('gitlab:'));
  }

  /** Message deliveries to channels (a bot-token Slack channel gets a message of its own here). */
  private deliveriesTo(
    channels: string[],
    base: Omit<NewDelivery, 'target' | 'mode' | 'payload'>,
    render: (kind: string) => ReturnType<typeof renderFor>,
  ): NewDelivery[] {
    return channels.map((target) => {
      let kind = 'unknown';
      try {
        const channel = parseChannel(target);
        kind = channel.kind;
        if (modeOf(channel) === 'status') kind = 'unknown';
      } catch {
        // an invalid target is logged and dead-lettered at its first attempt, with the reason
      }
      return { ...base, target, mode: 'message', payload: { mode: 'message', message: render(kind) } };
    });
  }

  async notifyStage(command: StageCommandData, envelope: Envelope): Promise<void> {
    const settings = NotifyStageSettings.parse(command.settings);
    const runId = `${command.executionId}/${command.stageId}/${command.attempt}`;
    const { config, db } = this.core;
    await db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'notifier.notify-stage', envelope.id))) return;
      const meta = { source: SOURCE, correlationid: command.executionId, causationid: envelope.id };
      const added = await this.core.stageRuns.add(manager, {
        id: runId,
        executionId: command.executionId,
        stageId: command.stageId,
        attempt: command.attempt,
        failOnError: settings.failOnError,
        waitUntil: new Date(Math.min(Date.now() + config.stageWaitMs, Date.parse(command.deadline) - 5000)),
        causationId: envelope.id,
      });
      if (!added) return;
      await enqueueMessage(
        manager,
        events.started,
        {
          executionId: command.executionId,
          stageId: command.stageId,
          attempt: command.attempt,
          worker: 'notifier',
          startedAt: new Date().toISOString(),
        },
        { ...meta, id: `${runId}:started` },
      );
      const snapshot = await this.snapshotOf(manager, command.executionId, command.application);
      snapshot.trigger ??= command.trigger;
      const channels = await this.channelsOf(snapshot, manager, settings.channels);
      const api = await this.core.settings.get(snapshot.application, manager);
      const templates = effectiveSettings(snapshot.notifications, api?.settings, []).templates;
      const baseView = buildView(snapshot, { uiUrl: config.uiUrl, event: 'notify' });
      let message: string | undefined;
      if (settings.message !== undefined)
        try {
          message = renderTemplate(settings.message, baseView);
        } catch {
          message = settings.message;
        }
      const view = { ...baseView, ...(message === undefined ? {} : { message }) };
      const deliveries = this.deliveriesTo(
        channels,
        {
          eventId: runId,
          eventType: envelope.type,
          notification: 'notify',
          application: snapshot.application,
          executionId: command.executionId,
          stageRunId: runId,
        },
        (kind) => renderFor(kind, 'notify', view, templates, new Date().toISOString()),
      );
      await this.core.log.add(manager, deliveries);
    });
    this.relay.poke();
    this.core.dispatcher.poke();
    await this.settleQuietly([runId]);
  }

  /** Settles now if it can; what fails here is settled by the next sweep. */
  private async settleQuietly(ids: string[]): Promise<void> {
    try {
      await this.settle(ids);
    } catch (error) {
      this.core.logger.warn(
        { err: error, stageRuns: ids },
        'settling notify stages failed; the sweep retries',
      );
    }
  }

  async cancelStage(data: z.output<typeof StageCancelData>, envelope: Envelope): Promise<void> {
    const runId = `${data.executionId}/${data.stageId}/${data.attempt}`;
    await this.core.db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'notifier.cancel', envelope.id))) return;
      const run = await this.core.stageRuns.get(manager, runId);
      if (!run || run.status !== 'waiting') return;
      await this.core.log.cancelPending(manager, runId);
      await this.core.stageRuns.setStatus(manager, runId, 'cancelled');
      await enqueueMessage(
        manager,
        events.failed,
        {
          executionId: data.executionId,
          stageId: data.stageId,
          attempt: data.attempt,
          failedAt: new Date().toISOString(),
          error: { message: `cancelled: ${data.reason}`, code: 'cancelled', retryable: false },
          outputs: {},
        },
        { source: SOURCE, correlationid: data.executionId, causationid: envelope.id, id: `${runId}:result` },
      );
    });
    this.relay.poke();
  }

  async notify(data: DataOf<typeof NotificationRequested>, envelope: Envelope): Promise<void> {
    const { config, db } = this.core;
    const logged = await db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'notifier.notify', envelope.id))) return 0;
      const snapshot = await this.snapshotOf(manager, data.executionId, data.application);
      const channels = await this.channelsOf(snapshot, manager, data.channels ?? []);
      const view = {
        ...buildView(snapshot, {
          uiUrl: config.uiUrl,
          event: 'notify',
          message: data.text,
          ...(data.stageId ? { stageId: data.stageId } : {}),
          ...(data.fields ? { fields: data.fields } : {}),
        }),
      };
      const time = envelope.time;
      const deliveries = this.deliveriesTo(
        channels,
        {
          eventId: envelope.id,
          eventType: envelope.type,
          notification: `notify.${data.severity}`,
          application: data.application,
          ...(data.executionId ? { executionId: data.executionId } : {}),
        },
        () => ({ title: maskSecrets(data.title), body: maskSecrets(data.text), view, time }),
      );
      return this.core.log.add(manager, deliveries);
    });
    if (logged) this.core.dispatcher.poke();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (await this.core.stageRuns.anyWaiting()) await this.settle();
    } catch (error) {
      // Not ready yet (connecting, migrating) is no failure: the next sweep looks again.
      if (!(error instanceof DatabaseUnavailableError))
        this.core.logger.warn({ err: error }, 'checking notify stages failed');
    } finally {
      this.sweeping = false;
    }
  }

  /** Reports the waiting stage runs whose deliveries are all done, or whose wait is over. */
  async settle(ids?: string[]): Promise<void> {
    const reported = await this.core.db.transaction(async (manager) => {
      let count = 0;
      for (const run of await this.core.stageRuns.lockWaiting(manager, ids)) {
        const deliveries = await this.core.log.ofStageRun(manager, run.id);
        const open = deliveries.filter((d) => d.status === 'pending' || d.status === 'sending');
        if (open.length > 0 && run.waitUntil.getTime() > Date.now()) continue;
        const delivered = deliveries.filter((d) => d.status === 'delivered').map((d) => d.target);
        const failed = deliveries
          .filter((d) => d.status === 'dead')
          .map((d) => ({ channel: d.target, error: d.lastError ?? 'failed' }));
        const outputs = { delivered, failed, pending: open.map((d) => d.target) };
        const ref = { executionId: run.executionId, stageId: run.stageId, attempt: run.attempt };
        const meta = {
          source: SOURCE,
          correlationid: run.executionId,
          causationid: run.causationId,
          id: `${run.id}:result`,
        };
        if (run.failOnError && (failed.length > 0 || open.length > 0))
          await enqueueMessage(
            manager,
            events.failed,
            {
              ...ref,
              failedAt: new Date().toISOString(),
              error: {
                message: `not delivered to ${[...failed.map((f) => `${f.channel} (${f.error})`), ...open.map((d) => `${d.target} (still retrying)`)].join(', ')}`,
                code: 'notification-failed',
                retryable: false,
              },
              outputs,
            },
            meta,
          );
        else
          await enqueueMessage(
            manager,
            events.completed,
            { ...ref, completedAt: new Date().toISOString(), outputs },
            meta,
          );
        await this.core.stageRuns.setStatus(manager, run.id, 'reported');
        count += 1;
      }
      return count;
    });
    if (reported) this.relay.poke();
  }
}
