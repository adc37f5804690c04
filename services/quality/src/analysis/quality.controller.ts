import { type DataOf, GetQualityReport, StageCommands, type StageCommandData } from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { QualityService } from './quality.service.js';

const commands = StageCommands.quality;

/**
 * The quality service's bus surface: the `quality-gate` stage command (`aviary.cmd.quality.gate.v1`,
 * the orchestrator's name for what the issue calls evaluate), its cancel, and the report query.
 */
@Controller()
@UseFilters(BusExceptionFilter)
export class QualityController {
  constructor(private readonly quality: QualityService) {}

  @EventPattern<string>(commands.gate.subject)
  gate(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.quality.gate(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands.cancel.subject)
  cancel(@Payload() data: DataOf<typeof commands.cancel>): void {
    this.quality.cancel(data);
  }

  @MessagePattern(GetQualityReport.subject)
  report(@Payload() query: DataOf<typeof GetQualityReport>) {
    return this.quality.report(query);
  }
}
