import {
  CancelExecution,
  GiveJudgment,
  RestartStage,
  TriggerExecution,
  WebhookReceived,
  type DataOf,
} from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { ExecutionCoordinator } from './execution-coordinator.js';

/** What people and the gateway ask of executions: start one, cancel, restart a stage, judge. */
@Controller()
@UseFilters(BusExceptionFilter)
export class CommandsController {
  constructor(private readonly coordinator: ExecutionCoordinator) {}

  /** A verified push: one execution per delivery, however often the gateway publishes it. */
  @EventPattern<string>(WebhookReceived.subject)
  async webhook(@Payload() data: DataOf<typeof WebhookReceived>, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.trigger(
      {
        executionId: randomUUID(),
        application: data.application,
        trigger: data.trigger,
        triggerKey: `webhook:${data.deliveryId}`,
      },
      { causationid: ctx.envelope.id },
    );
  }

  @EventPattern<string>(TriggerExecution.subject)
  async triggerExecution(
    @Payload() data: DataOf<typeof TriggerExecution>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    const executionId = data.executionId ?? ctx.envelope.id;
    await this.coordinator.trigger(
      {
        executionId,
        application: data.application,
        trigger: {
          kind: 'manual',
          provider: 'aviary',
          repository: data.repository,
          ref: `refs/heads/${data.branch}`,
          branch: data.branch,
          sha: data.sha,
          actor: data.user,
          ...(data.message === undefined ? {} : { message: data.message }),
        },
        triggerKey: `manual:${executionId}`,
      },
      { causationid: ctx.envelope.id, once: ctx.envelope.id },
    );
  }

  @EventPattern<string>(CancelExecution.subject)
  async cancel(@Payload() data: DataOf<typeof CancelExecution>, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(
      data.executionId,
      { actor: data.user, causationid: ctx.envelope.id, once: ctx.envelope.id },
      (run) => run.cancel(data.reason),
    );
  }

  @EventPattern<string>(RestartStage.subject)
  async restart(@Payload() data: DataOf<typeof RestartStage>, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(
      data.executionId,
      { actor: data.user, causationid: ctx.envelope.id, once: ctx.envelope.id },
      (run) => run.restart(data.stageId),
    );
  }

  @EventPattern<string>(GiveJudgment.subject)
  async judge(@Payload() data: DataOf<typeof GiveJudgment>, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(
      data.executionId,
      { actor: data.user, causationid: ctx.envelope.id, once: ctx.envelope.id },
      (run) =>
        run.judge({
          stageId: data.stageId,
          decision: data.decision,
          user: data.user,
          via: data.via,
          ...(data.comment === undefined ? {} : { comment: data.comment }),
        }),
    );
  }
}
