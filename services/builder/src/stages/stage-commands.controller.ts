import { StageCancelData, StageCommands, type StageCommandData } from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type z } from 'zod';
import { BuildImageStage } from '../images/build-image.stage.js';
import { CheckoutStage } from './checkout.stage.js';
import { RunStage } from './run.stage.js';
import { StageRunner } from './stage-runner.js';

/** The orchestrator's stage commands for the builder: each attempt runs once, its result through the outbox. */
@Controller()
@UseFilters(BusExceptionFilter)
export class StageCommandsController {
  constructor(
    @Inject(StageRunner) private readonly runner: StageRunner,
    @Inject(CheckoutStage) private readonly checkoutStage: CheckoutStage,
    @Inject(RunStage) private readonly runStage: RunStage,
    @Inject(BuildImageStage) private readonly buildImageStage: BuildImageStage,
  ) {}

  @EventPattern<string>(StageCommands.builder.checkout.subject)
  checkout(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.runner.execute(command, ctx.envelope.id, (work) => this.checkoutStage.run(work));
  }

  @EventPattern<string>(StageCommands.builder.run.subject)
  run(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.runner.execute(command, ctx.envelope.id, (work) => this.runStage.run(work));
  }

  @EventPattern<string>(StageCommands.builder['build-image'].subject)
  buildImage(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.runner.execute(command, ctx.envelope.id, (work) => this.buildImageStage.run(work));
  }

  @EventPattern<string>(StageCommands.builder.cancel.subject)
  cancel(@Payload() data: z.infer<typeof StageCancelData>): Promise<void> {
    const { executionId, stageId, attempt, reason } = data;
    return this.runner.cancel({ executionId, stageId, attempt }, reason);
  }
}
