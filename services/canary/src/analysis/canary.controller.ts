import {
  type DataOf,
  GetCanaryReport,
  ReplayCanaryAnalysis,
  StageCommands,
  type StageCommandData,
} from '@aviary/events';
import { BusContext, BusExceptionFilter } from '@aviary/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { AnalysisService } from './analysis.service.js';

const commands = StageCommands.canary;

/** The canary's bus surface: the analyze and cancel commands, the report and replay queries. */
@Controller()
@UseFilters(BusExceptionFilter)
export class CanaryController {
  constructor(private readonly analyses: AnalysisService) {}

  @EventPattern<string>(commands.analyze.subject)
  analyze(@Payload() command: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    return this.analyses.analyze(command, ctx.envelope.id);
  }

  @EventPattern<string>(commands.cancel.subject)
  cancel(@Payload() data: DataOf<typeof commands.cancel>, @Ctx() ctx: BusContext): Promise<void> {
    return this.analyses.cancel(data, ctx.envelope.id);
  }

  @MessagePattern(GetCanaryReport.subject)
  report(@Payload() query: DataOf<typeof GetCanaryReport>) {
    return this.analyses.report(query);
  }

  @MessagePattern(ReplayCanaryAnalysis.subject)
  replay(@Payload() query: DataOf<typeof ReplayCanaryAnalysis>) {
    return this.analyses.replay(query);
  }
}
