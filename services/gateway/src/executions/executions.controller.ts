import {
  Body,
  Controller,
  UseInterceptors,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { AuditInterceptor } from '../audit/audit.interceptor.js';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CancelExecution,
  ExecutionDetail,
  GetExecution,
  GetStageLogs,
  GiveJudgment,
  ListExecutions,
  RestartStage,
  TriggerExecution,
} from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApplicationsService } from '../applications/applications.service.js';
import { RequireRole, type Principal } from '../auth/access.js';
import { Caller } from '../auth/request-principal.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { SseStream } from '../events/sse.js';
import { ask } from '../http/ask.js';
import { ProblemException } from '../http/problem.js';
import {
  Accepted,
  CancelBody,
  JudgmentBody,
  ListExecutionsQuery,
  LogsQuery,
  TriggerBody,
} from './execution.schemas.js';

@ApiTags('executions')
@ApiBearerAuth()
@UseInterceptors(AuditInterceptor)
@Controller('api/v1/executions')
export class ExecutionsController {
  constructor(
    private readonly bus: BusClient,
    private readonly applications: ApplicationsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Executions, newest first, filtered and paged' })
  @ApiOkResponse({ standardSchema: ListExecutions.replySchema })
  list(@Query({ schema: ListExecutionsQuery }) query: ListExecutionsQuery) {
    return ask(this.bus, ListExecutions, query, 'orchestrator', this.config.queryTimeoutMs);
  }

  @Get(':executionId')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'One execution with its stages, attempts, outputs, durations, trigger and history',
  })
  @ApiOkResponse({ standardSchema: ExecutionDetail })
  async get(@Param('executionId') executionId: string) {
    return this.execution(executionId);
  }

  @Post()
  @HttpCode(202)
  @RequireRole('deployer')
  @ApiOperation({ summary: 'Start an execution by hand for a branch at a commit' })
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async trigger(@Body({ schema: TriggerBody }) body: TriggerBody, @Caller() caller: Principal) {
    const application = await this.applications.get(body.application);
    const executionId = randomUUID();
    await this.bus.publish(
      TriggerExecution,
      {
        executionId,
        application: application.name,
        repository: application.repositoryUrl,
        branch: body.branch,
        sha: body.sha,
        user: caller.name,
        ...(body.message === undefined ? {} : { message: body.message }),
      },
      { id: `trigger:${executionId}`, correlationid: executionId },
    );
    return { status: 'accepted' as const, executionId, message: `execution ${executionId} requested` };
  }

  @Post(':executionId/cancel')
  @HttpCode(202)
  @RequireRole('deployer')
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async cancel(
    @Param('executionId') executionId: string,
    @Body({ schema: CancelBody }) body: CancelBody,
    @Caller() caller: Principal,
  ) {
    await this.execution(executionId);
    await this.bus.publish(
      CancelExecution,
      { executionId, user: caller.name, ...(body.reason === undefined ? {} : { reason: body.reason }) },
      { correlationid: executionId },
    );
    return { status: 'accepted' as const, executionId, message: `cancellation of ${executionId} requested` };
  }

  @Post(':executionId/stages/:stageId/restart')
  @HttpCode(202)
  @RequireRole('deployer')
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async restart(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Caller() caller: Principal,
  ) {
    await this.stage(executionId, stageId);
    await this.bus.publish(
      RestartStage,
      { executionId, stageId, user: caller.name },
      { correlationid: executionId },
    );
    return { status: 'accepted' as const, executionId, message: `restart of stage ${stageId} requested` };
  }

  @Post(':executionId/stages/:stageId/judgment')
  @HttpCode(202)
  @RequireRole('deployer')
  @ApiOperation({ summary: 'Approve or reject a manual judgment, with a comment' })
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async judge(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Body({ schema: JudgmentBody }) body: JudgmentBody,
    @Caller() caller: Principal,
  ) {
    await this.stage(executionId, stageId);
    await this.bus.publish(
      GiveJudgment,
      {
        executionId,
        stageId,
        decision: body.decision,
        user: caller.name,
        via: 'api',
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      },
      { correlationid: executionId },
    );
    return {
      status: 'accepted' as const,
      executionId,
      message: `${body.decision} of stage ${stageId} recorded`,
    };
  }

  @Get(':executionId/stages/:stageId/logs')
  @RequireRole('viewer')
  @ApiOperation({ summary: "A page of a stage attempt's log (persisted by the builder)" })
  @ApiOkResponse({ standardSchema: GetStageLogs.replySchema })
  logs(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Query({ schema: LogsQuery }) query: LogsQuery,
  ) {
    return ask(
      this.bus,
      GetStageLogs,
      { executionId, stageId, ...query },
      'builder',
      this.config.queryTimeoutMs,
    );
  }

  @Get(':executionId/stages/:stageId/logs/live')
  @RequireRole('viewer')
  @ApiOperation({ summary: "A stage's log lines as they are written: server-sent events `log`" })
  @ApiOkResponse({ description: 'text/event-stream' })
  async liveLogs(
    @Param('executionId') executionId: string,
    @Param('stageId') stageId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let feed;
    try {
      feed = await this.bus.subscribeLogs(executionId, stageId);
    } catch (error) {
      throw new ProblemException(503, `live logs are not available: ${(error as Error).message}`);
    }
    reply.hijack();
    const stream = new SseStream(reply.raw);
    void stream.closed.then(() => feed.close());
    for await (const line of feed) stream.send({ event: 'log', data: line });
    stream.end();
  }

  private async execution(executionId: string): Promise<z.infer<typeof ExecutionDetail>> {
    const reply = await ask(
      this.bus,
      GetExecution,
      { executionId },
      'orchestrator',
      this.config.queryTimeoutMs,
    );
    if (!reply.found) throw new ProblemException(404, `no execution has the id ${executionId}`);
    return reply.execution;
  }

  private async stage(executionId: string, stageId: string): Promise<void> {
    const execution = await this.execution(executionId);
    if (!execution.stages.some((stage) => stage.stageId === stageId))
      throw new ProblemException(404, `execution ${executionId} has no stage ${stageId}`);
  }
}
