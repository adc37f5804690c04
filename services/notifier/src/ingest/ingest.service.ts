import { type Envelope, GetExecution, NotificationSettings } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { handleOnce } from '@aviary/persistence';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { applyEvent, applicationOf, type ExecutionEvent } from '../executions/execution-snapshot.js';
import { NotifierCore } from '../notifier-core.js';
import { effectiveSettings } from '../subscriptions/subscriptions.js';
import { planDeliveries } from './plan.js';

/** Deliveries of an event that wait for its execution's ExecutionCreated. */
const WAIT_FOR_CREATED = 2;

export class UnknownExecutionError extends Error {
  override readonly name = 'UnknownExecutionError';
}

/**
 * Turns the events of executions into deliveries: in one transaction the event is taken once
 * (inbox), merged into the execution's snapshot, and the deliveries it calls for are logged; the
 * dispatcher sends them after the commit. Nothing here waits for a channel.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly core: NotifierCore,
    private readonly bus: BusClient,
  ) {}

  /**
   * `deliveries` is the bus's count for this message: an event that overtook the execution's
   * ExecutionCreated (which carries the pipeline file's settings) waits for it through two
   * redeliveries, then goes on without it (a notifier started after the execution never sees it).
   */
  async ingest(event: ExecutionEvent, envelope: Envelope, deliveries = WAIT_FOR_CREATED + 1): Promise<void> {
    const { executions, slackMessages, log, config, db } = this.core;
    const executionId = event.data.executionId;
    const application = applicationOf(event) ?? (await this.applicationOf(executionId));
    const logged = await db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'notifier.events', envelope.id))) return 0;
      const previous = await executions.lock(manager, executionId, application);
      if (event.kind !== 'created' && previous?.createdAt === undefined && deliveries <= WAIT_FOR_CREATED)
        throw new UnknownExecutionError(`execution ${executionId}: waiting for its ExecutionCreated`);
      const snapshot = applyEvent(previous, event);
      await executions.save(manager, snapshot);
      const context = await this.contextOf(manager, snapshot.application, executionId);
      const plan = planDeliveries({
        event,
        eventId: envelope.id,
        eventType: envelope.type,
        snapshot,
        settings: effectiveSettings(snapshot.notifications, context.settings, config.defaultChannels),
        slackMessages: context.slackMessages,
        uiUrl: config.uiUrl,
      });
      for (const target of plan.openSlack) await slackMessages.open(manager, executionId, target);
      if (plan.invalid.length)
        this.core.logger.warn(
          { application: snapshot.application, channels: plan.invalid },
          'notification settings name channels that are not valid targets',
        );
      return log.add(manager, plan.deliveries);
    });
    if (logged > 0) this.core.dispatcher.poke();
  }

  /** The application's API settings and the execution's Slack messages, in one round trip. */
  private async contextOf(
    manager: EntityManager,
    application: string,
    executionId: string,
  ): Promise<{ settings?: NotificationSettings; slackMessages: string[] }> {
    const { settings, slackMessages } = this.core;
    const rows = await manager.query<Array<{ settings: unknown; targets: string[] | null }>>(
      `select (select settings from ${settings.table} where application = $1) as settings,
              (select array_agg(target) from ${slackMessages.table} where execution_id = $2) as targets`,
      [application, executionId],
    );
    const row = rows[0];
    return {
      ...(row?.settings ? { settings: NotificationSettings.parse(row.settings) } : {}),
      slackMessages: row?.targets ?? [],
    };
  }

  /**
   * Canary events do not name the application: the execution's earlier events did, or the
   * orchestrator knows. Unknown yet, the event is redelivered later by the bus.
   */
  private async applicationOf(executionId: string): Promise<string> {
    const known = await this.core.executions.get(executionId);
    if (known) return known.application;
    const reply = await this.bus
      .query(GetExecution, { executionId }, { timeoutMs: 2000 })
      .catch(() => undefined);
    if (reply?.found) return reply.execution.application;
    throw new UnknownExecutionError(`execution ${executionId} is not known yet; the event will be retried`);
  }
}
