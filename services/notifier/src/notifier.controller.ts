import {
  ALL_EXECUTION_EVENTS,
  type DataOf,
  ExecutionCancelled,
  ExecutionCompleted,
  ExecutionCreated,
  ExecutionFailed,
  ExecutionPaused,
  ExecutionResumed,
  ExecutionStageChanged,
  ExecutionStarted,
  GetNotificationSettings,
  JudgmentGiven,
  JudgmentRequested,
  ListDeliveries,
  NotificationRequested,
  ReleaseChanged,
  SetNotificationSettings,
  SlackInteraction,
  StageCommands,
  type StageCommandData,
  StageEvents,
} from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { type ExecutionEvent } from './executions/execution-snapshot.js';
import { IngestService } from './ingest/ingest.service.js';
import { NotifierCore } from './notifier-core.js';
import { SlackInteractionsService } from './slack/slack-interactions.service.js';
import { NotifyStageService } from './stage/notify-stage.service.js';
import { SettingsService } from './subscriptions/settings.service.js';

/** Which kind of execution event an envelope type is (every event on `aviary.evt.execution.>`). */
const EXECUTION_KINDS = new Map<string, ExecutionEvent['kind']>([
  [ExecutionCreated.type, 'created'],
  [ExecutionStarted.type, 'started'],
  [ExecutionCompleted.type, 'completed'],
  [ExecutionFailed.type, 'failed'],
  [ExecutionCancelled.type, 'cancelled'],
  [ExecutionPaused.type, 'paused'],
  [ExecutionResumed.type, 'resumed'],
  [ExecutionStageChanged.type, 'stage-changed'],
]);

const commands = StageCommands.notifier;

/** The notifier's bus surface: the events it turns into messages, its commands and queries. */
@Controller()
@UseFilters(BusExceptionFilter)
export class NotifierController {
  constructor(
    private readonly ingest: IngestService,
    private readonly stages: NotifyStageService,
    private readonly interactions: SlackInteractionsService,
    private readonly settings: SettingsService,
    private readonly core: NotifierCore,
  ) {}

  @EventPattern<string>(ALL_EXECUTION_EVENTS)
  async execution(@Payload() data: unknown, @Ctx() ctx: BusContext): Promise<void> {
    const kind = EXECUTION_KINDS.get(ctx.envelope.type);
    if (!kind) return;
    await this.ingest.ingest(
      { kind, at: ctx.envelope.time, data } as ExecutionEvent,
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(JudgmentRequested.subject)
  judgmentRequested(
    @Payload() data: DataOf<typeof JudgmentRequested>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    return this.ingest.ingest(
      { kind: 'judgment-requested', at: ctx.envelope.time, data },
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(JudgmentGiven.subject)
  judgmentGiven(@Payload() data: DataOf<typeof JudgmentGiven>, @Ctx() ctx: BusContext): Promise<void> {
    return this.ingest.ingest(
      { kind: 'judgment-given', at: ctx.envelope.time, data },
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(StageEvents.canary.completed.subject)
  canaryCompleted(
    @Payload() data: DataOf<typeof StageEvents.canary.completed>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    return this.ingest.ingest(
      { kind: 'canary-completed', at: ctx.envelope.time, data },
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(StageEvents.canary.failed.subject)
  canaryFailed(
    @Payload() data: DataOf<typeof StageEvents.canary.failed>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    return this.ingest.ingest(
      { kind: 'canary-failed', at: ctx.envelope.time, data },
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(ReleaseChanged.subject)
  async releaseChanged(
    @Payload() data: DataOf<typeof ReleaseChanged>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    // Only a finished rollback is news; the other moves of a release are the deployer's business.
    if (data.state !== 'rolled-back') return;
    await this.ingest.ingest(
      { kind: 'release-changed', at: ctx.envelope.time, data },
      ctx.envelope,
      ctx.deliveries,
    );
  }

  @EventPattern<string>(commands['notify-stage'].subject)
  notifyStage(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.stages.notifyStage(command, ctx.envelope);
  }

  @EventPattern<string>(commands.cancel.subject)
  cancel(@Payload() data: DataOf<typeof commands.cancel>, @Ctx() ctx: BusContext): Promise<void> {
    return this.stages.cancelStage(data, ctx.envelope);
  }

  @EventPattern<string>(NotificationRequested.subject)
  notify(@Payload() data: DataOf<typeof NotificationRequested>, @Ctx() ctx: BusContext): Promise<void> {
    return this.stages.notify(data, ctx.envelope);
  }

  @EventPattern<string>(SlackInteraction.subject)
  slackInteraction(@Payload() data: DataOf<typeof SlackInteraction>, @Ctx() ctx: BusContext): Promise<void> {
    return this.interactions.handle(data, ctx.envelope);
  }

  @EventPattern<string>(SetNotificationSettings.subject)
  setSettings(@Payload() data: DataOf<typeof SetNotificationSettings>): Promise<void> {
    return this.settings.set(data);
  }

  @MessagePattern(GetNotificationSettings.subject)
  getSettings(@Payload() query: DataOf<typeof GetNotificationSettings>) {
    return this.settings.get(query);
  }

  @MessagePattern(ListDeliveries.subject)
  deliveries(@Payload() query: DataOf<typeof ListDeliveries>) {
    return this.core.log.list(query);
  }
}
