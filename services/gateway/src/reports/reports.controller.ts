import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CanaryReport, GetCanaryReport, GetQualityReport, QualityReport } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { RequireRole } from '../auth/access.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ReportQuery } from '../executions/execution.schemas.js';
import { ask } from '../http/ask.js';
import { ProblemException } from '../http/problem.js';

/** Reports belong to the services that make them; the gateway asks them over the bus. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/executions/:executionId/stages/:stageId')
export class ReportsController {
  constructor(
    private readonly bus: BusClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('canary-report')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The canary analysis report of a stage (from the canary service)' })
  @ApiOkResponse({ standardSchema: CanaryReport })
  async canary(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Query({ schema: ReportQuery }) query: ReportQuery,
  ) {
    const reply = await ask(
      this.bus,
      GetCanaryReport,
      { executionId, stageId, ...query },
      'canary',
      this.config.queryTimeoutMs,
    );
    if (!reply.found)
      throw new ProblemException(
        404,
        `no canary report for stage ${stageId} of ${executionId}: ${reply.reason}`,
      );
    return reply.report;
  }

  @Get('quality-report')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The quality gate report of a stage (from the quality service)' })
  @ApiOkResponse({ standardSchema: QualityReport })
  async quality(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Query({ schema: ReportQuery }) query: ReportQuery,
  ) {
    const reply = await ask(
      this.bus,
      GetQualityReport,
      { executionId, stageId, ...query },
      'quality',
      this.config.queryTimeoutMs,
    );
    if (!reply.found)
      throw new ProblemException(
        404,
        `no quality report for stage ${stageId} of ${executionId}: ${reply.reason}`,
      );
    return reply.report;
  }
}
