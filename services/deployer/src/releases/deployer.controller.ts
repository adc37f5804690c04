import {
  type DataOf,
  ExecutionCancelled,
  ExecutionFailed,
  StageCommands,
  type StageCommandData,
} from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ReleaseService } from './release-service.js';

const commands = StageCommands.deployer;

/** The deployer's stage commands, and the ends of executions, handed to the release use cases. */
@Controller()
@UseFilters(BusExceptionFilter)
export class DeployerController {
  constructor(private readonly releases: ReleaseService) {}

  @EventPattern<string>(commands.deploy.subject)
  deploy(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.deploy(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands['canary-deploy'].subject)
  canaryDeploy(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.deploy(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands.promote.subject)
  promote(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.promote(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands.rollback.subject)
  rollback(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.rollback(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands.cancel.subject)
  cancel(@Payload() data: DataOf<typeof commands.cancel>, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.cancel(data, ctx.envelope.id);
  }

  @EventPattern<string>(ExecutionCancelled.subject)
  executionCancelled(
    @Payload() data: DataOf<typeof ExecutionCancelled>,
    @Ctx() ctx: BusContext,
  ): Promise<void> {
    return this.releases.executionEnded(
      data.executionId,
      `execution cancelled by ${data.cancelledBy}: ${data.reason}`,
      ctx.envelope.id,
    );
  }

  @EventPattern<string>(ExecutionFailed.subject)
  executionFailed(@Payload() data: DataOf<typeof ExecutionFailed>, @Ctx() ctx: BusContext): Promise<void> {
    return this.releases.executionEnded(
      data.executionId,
      `execution failed: ${data.reason}`,
      ctx.envelope.id,
    );
  }
}
