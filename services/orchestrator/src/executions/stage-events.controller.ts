import { StageEvents, type DataOf } from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ExecutionCoordinator } from './execution-coordinator.js';

// Every worker's results, on one consumer each: the data is the same for every worker.
const COMPLETED = 'aviary.evt.stage.*.completed.v1';
const FAILED = 'aviary.evt.stage.*.failed.v1';
const STARTED = 'aviary.evt.stage.*.started.v1';

type Completed = DataOf<typeof StageEvents.builder.completed>;
type Failed = DataOf<typeof StageEvents.builder.failed>;
type Started = DataOf<typeof StageEvents.builder.started>;

/**
 * Workers' results advance their executions. A result for an attempt that is not the one running
 * (late, repeated, or after a timeout or a cancel) changes nothing.
 */
@Controller()
@UseFilters(BusExceptionFilter)
export class StageEventsController {
  constructor(private readonly coordinator: ExecutionCoordinator) {}

  @EventPattern<string>(COMPLETED)
  async completed(@Payload() data: Completed, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(data.executionId, { causationid: ctx.envelope.id }, (run) =>
      run.stageCompleted(data.stageId, data.attempt, data.outputs),
    );
  }

  @EventPattern<string>(FAILED)
  async failed(@Payload() data: Failed, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(data.executionId, { causationid: ctx.envelope.id }, (run) =>
      run.stageFailed(data.stageId, data.attempt, data.error, data.outputs),
    );
  }

  @EventPattern<string>(STARTED)
  async started(@Payload() data: Started, @Ctx() ctx: BusContext): Promise<void> {
    await this.coordinator.step(data.executionId, { causationid: ctx.envelope.id }, (run) =>
      run.stageStarted(data.stageId, data.attempt, data.worker, new Date(data.startedAt)),
    );
  }
}
