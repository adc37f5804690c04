import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CancelExecution,
  ExecutionStageChanged,
  GetCanaryReport,
  GetExecution,
  GetQualityReport,
  GetStageLogs,
  GiveJudgment,
  ListExecutions,
  RestartStage,
  TriggerExecution,
  type DataOf,
  type ExecutionDetail,
  type LogLine,
} from '@aviary/events';
import { BusContext } from '@aviary/messaging';
import { eventually } from '@aviary/test-support';
import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { startBusStub, type BusStub } from '../testing/bus-stub.js';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';
import { openEventStream, type SseConnection } from '../testing/sse-client.js';

const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const now = () => new Date().toISOString();

function execution(executionId: string, application: string, branch = 'main'): ExecutionDetail {
  return {
    executionId,
    application,
    pipeline: 'default',
    branch,
    sha: SHA,
    status: 'PAUSED',
    trigger: {
      kind: 'push',
      provider: 'github',
      repository: `https://github.com/acme/${application}`,
      ref: `refs/heads/${branch}`,
      branch,
      sha: SHA,
    },
    createdAt: now(),
    stages: [
      {
        stageId: 'build',
        name: 'build',
        type: 'run',
        dependsOn: [],
        status: 'SUCCEEDED',
        attempt: 1,
        outputs: { image: 'registry/orders:abc' },
        attempts: [],
        durationMs: 1200,
      },
      {
        stageId: 'approve',
        name: 'approve',
        type: 'manual-judgment',
        dependsOn: ['build'],
        status: 'PAUSED',
        attempt: 1,
        outputs: {},
        attempts: [],
      },
    ],
    history: [],
  };
}

/** The orchestrator, as far as the gateway can tell: it answers queries and records commands. */
const orchestrator = {
  executions: [
    execution('exec-1', 'orders'),
    execution('exec-2', 'payments'),
    execution('exec-3', 'orders', 'feature'),
  ],
  commands: [] as Array<{ type: string; data: Record<string, unknown>; correlationid: string }>,
};

@Controller()
class OrchestratorStub {
  @MessagePattern(ListExecutions.subject)
  list(@Payload() query: DataOf<typeof ListExecutions>) {
    const matching = orchestrator.executions.filter(
      (e) =>
        (!query.application || e.application === query.application) &&
        (!query.branch || e.branch === query.branch),
    );
    const start = query.cursor ? Number(query.cursor) : 0;
    const page = matching.slice(start, start + query.limit);
    const next = start + query.limit < matching.length ? String(start + query.limit) : undefined;
    return {
      executions: page.map(({ stages: _s, history: _h, ...summary }) => summary),
      total: matching.length,
      ...(next ? { nextCursor: next } : {}),
    };
  }

  @MessagePattern(GetExecution.subject)
  get(@Payload() query: DataOf<typeof GetExecution>) {
    const found = orchestrator.executions.find((e) => e.executionId === query.executionId);
    return found ? { found: true, execution: found } : { found: false };
  }

  @EventPattern<string>('aviary.cmd.orchestrator.>')
  command(@Payload() data: Record<string, unknown>, @Ctx() ctx: BusContext) {
    orchestrator.commands.push({ type: ctx.envelope.type, data, correlationid: ctx.envelope.correlationid });
  }
}

@Module({ controllers: [OrchestratorStub] })
class OrchestratorStubModule {}

const canaryReport = {
  reportId: 'r-1',
  executionId: 'exec-1',
  stageId: 'canary',
  attempt: 1,
  application: 'orders',
  verdict: 'pass',
  score: 96.5,
  thresholds: { pass: 95, marginal: 75 },
  startedAt: now(),
  details: {},
};

@Controller()
class CanaryStub {
  @MessagePattern(GetCanaryReport.subject)
  report(@Payload() query: DataOf<typeof GetCanaryReport>) {
    return query.stageId === 'canary'
      ? { found: true, report: canaryReport }
      : { found: false, reason: 'no analysis ran in this stage' };
  }
}

@Module({ controllers: [CanaryStub] })
class CanaryStubModule {}

@Controller()
class BuilderStub {
  @MessagePattern(GetStageLogs.subject)
  logs(@Payload() query: DataOf<typeof GetStageLogs>) {
    const lines: LogLine[] = Array.from({ length: 3 }, (_, seq) => ({
      executionId: query.executionId,
      stageId: query.stageId,
      attempt: 1,
      seq,
      stream: 'stdout',
      time: now(),
      text: `line ${seq}`,
    }));
    const start = query.cursor ? Number(query.cursor) : 0;
    const page = lines.slice(start, start + query.limit);
    return {
      lines: page,
      complete: true,
      ...(start + query.limit < lines.length ? { nextCursor: String(start + query.limit) } : {}),
    };
  }
}

@Module({ controllers: [BuilderStub] })
class BuilderStubModule {}

describe('executions API on the orchestrator queries and commands', () => {
  let gateway: GatewayUnderTest;
  let stub: BusStub;
  let viewer: string;
  let deployer: string;

  beforeAll(async () => {
    gateway = await startGateway();
    stub = await startBusStub(gateway, 'orchestrator', OrchestratorStubModule);
    await gateway.call('POST', '/api/v1/applications', {
      body: { name: 'orders', provider: 'github', repositoryUrl: 'https://github.com/acme/orders' },
    });
    viewer = (await gateway.call('POST', '/api/v1/tokens', { body: { name: 'viewer', role: 'viewer' } })).body
      .token!;
    deployer = (
      await gateway.call('POST', '/api/v1/tokens', { body: { name: 'release-manager', role: 'deployer' } })
    ).body.token!;
  }, 60_000);

  afterAll(async () => {
    await stub?.close();
    await gateway?.close();
  });

  it('lists executions filtered by application and paged, and gets one with its stages', async () => {
    const page = await gateway.call('GET', '/api/v1/executions?application=orders&limit=1', {
      token: viewer,
    });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      total: 2,
      nextCursor: '1',
      executions: [{ executionId: 'exec-1', application: 'orders' }],
    });
    const next = await gateway.call('GET', `/api/v1/executions?application=orders&limit=1&cursor=1`, {
      token: viewer,
    });
    expect(next.body['executions']).toEqual([
      expect.objectContaining({ executionId: 'exec-3', branch: 'feature' }),
    ]);

    const one = await gateway.call('GET', '/api/v1/executions/exec-1', { token: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      executionId: 'exec-1',
      stages: [
        { stageId: 'build', outputs: { image: 'registry/orders:abc' }, durationMs: 1200 },
        { stageId: 'approve' },
      ],
    });
    const missing = await gateway.call('GET', '/api/v1/executions/nope', { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe('no execution has the id nope');

    const bad = await gateway.call('GET', '/api/v1/executions?status=SLEEPING', { token: viewer });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0]!.field).toContain('status');
  });

  it('sends cancel, restart, judgment and manual trigger as commands, from a deployer, audited', async () => {
    expect(
      (await gateway.call('POST', '/api/v1/executions/exec-1/cancel', { token: viewer, body: {} })).status,
    ).toBe(403);

    const cancel = await gateway.call('POST', '/api/v1/executions/exec-1/cancel', {
      token: deployer,
      body: { reason: 'wrong commit' },
    });
    expect(cancel.status).toBe(202);
    const restart = await gateway.call('POST', '/api/v1/executions/exec-1/stages/build/restart', {
      token: deployer,
    });
    expect(restart.status).toBe(202);
    const judgment = await gateway.call('POST', '/api/v1/executions/exec-1/stages/approve/judgment', {
      token: deployer,
      body: { decision: 'approve', comment: 'metrics look fine' },
    });
    expect(judgment.status).toBe(202);
    const trigger = await gateway.call('POST', '/api/v1/executions', {
      token: deployer,
      body: { application: 'orders', branch: 'main', sha: SHA },
    });
    expect(trigger.status).toBe(202);
    const executionId = trigger.body['executionId'] as string;

    await eventually(() => expect(orchestrator.commands).toHaveLength(4));
    const byType = Object.fromEntries(orchestrator.commands.map((c) => [c.type, c]));
    expect(byType[CancelExecution.type]!.data).toEqual({
      executionId: 'exec-1',
      user: 'release-manager',
      reason: 'wrong commit',
    });
    expect(byType[RestartStage.type]!.data).toEqual({
      executionId: 'exec-1',
      stageId: 'build',
      user: 'release-manager',
    });
    expect(byType[GiveJudgment.type]!.data).toEqual({
      executionId: 'exec-1',
      stageId: 'approve',
      decision: 'approve',
      comment: 'metrics look fine',
      user: 'release-manager',
      via: 'api',
    });
    expect(byType[TriggerExecution.type]!.data).toMatchObject({
      executionId,
      application: 'orders',
      repository: 'https://github.com/acme/orders',
      branch: 'main',
      sha: SHA,
      user: 'release-manager',
    });
    expect(byType[TriggerExecution.type]!.correlationid).toBe(executionId);

    expect(
      (await gateway.call('POST', '/api/v1/executions/exec-1/stages/deploy/restart', { token: deployer }))
        .status,
    ).toBe(404);
    expect(
      (
        await gateway.call('POST', '/api/v1/executions', {
          token: deployer,
          body: { application: 'ghost', branch: 'main', sha: SHA },
        })
      ).status,
    ).toBe(404);
    const badJudgment = await gateway.call('POST', '/api/v1/executions/exec-1/stages/approve/judgment', {
      token: deployer,
      body: { decision: 'maybe' },
    });
    expect(badJudgment.status).toBe(400);
    expect(badJudgment.body.errors).toEqual([expect.objectContaining({ field: 'decision' })]);

    const audit = await gateway.call('GET', '/api/v1/audit?actor=release-manager');
    expect(audit.body.records!.map((r) => r['action'])).toEqual(
      expect.arrayContaining([
        'POST /api/v1/executions/:executionId/cancel',
        'POST /api/v1/executions/:executionId/stages/:stageId/restart',
        'POST /api/v1/executions/:executionId/stages/:stageId/judgment',
        'POST /api/v1/executions',
      ]),
    );
  });

  it('answers 503 naming the service when the canary, quality or builder service does not answer, then serves their answers', async () => {
    const canary = await gateway.call('GET', '/api/v1/executions/exec-1/stages/canary/canary-report', {
      token: viewer,
    });
    expect(canary.status).toBe(503);
    expect(canary.body.detail).toContain('the canary service did not answer');
    const quality = await gateway.call('GET', '/api/v1/executions/exec-1/stages/quality/quality-report', {
      token: viewer,
    });
    expect(quality.status).toBe(503);
    expect(quality.body.detail).toContain('the quality service did not answer');
    expect(quality.body.detail).toContain(GetQualityReport.subject);
    const logs = await gateway.call('GET', '/api/v1/executions/exec-1/stages/build/logs', { token: viewer });
    expect(logs.status).toBe(503);
    expect(logs.body.detail).toContain('the builder service did not answer');

    const canaryService = await startBusStub(gateway, 'canary', CanaryStubModule);
    const builder = await startBusStub(gateway, 'builder', BuilderStubModule);
    try {
      const report = await gateway.call('GET', '/api/v1/executions/exec-1/stages/canary/canary-report', {
        token: viewer,
      });
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ verdict: 'pass', score: 96.5 });
      const none = await gateway.call('GET', '/api/v1/executions/exec-1/stages/build/canary-report', {
        token: viewer,
      });
      expect(none.status).toBe(404);
      expect(none.body.detail).toContain('no analysis ran in this stage');

      const page = await gateway.call('GET', '/api/v1/executions/exec-1/stages/build/logs?limit=2', {
        token: viewer,
      });
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ nextCursor: '2', complete: true });
      expect((page.body['lines'] as LogLine[]).map((l) => l.text)).toEqual(['line 0', 'line 1']);
    } finally {
      await canaryService.close();
      await builder.close();
    }
  });
});

describe('live events', () => {
  let gateway: GatewayUnderTest;
  let stub: BusStub;
  const streams: SseConnection[] = [];

  beforeAll(async () => {
    gateway = await startGateway({ env: { AVIARY_ANONYMOUS_READ: 'true' } });
    stub = await startBusStub(gateway, 'orchestrator', OrchestratorStubModule);
  }, 60_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await stub?.close();
    await gateway?.close();
  });

  function stageChanged(executionId: string, application: string, to: 'RUNNING' | 'SUCCEEDED') {
    return stub.bus.client.publish(
      ExecutionStageChanged,
      {
        executionId,
        application,
        stageId: 'build',
        stageType: 'run',
        attempt: 1,
        from: 'NOT_STARTED',
        to,
        outputs: {},
        at: now(),
      },
      { correlationid: executionId },
    );
  }

  async function open(query: string, headers: Record<string, string> = {}): Promise<SseConnection> {
    const stream = await openEventStream(`${gateway.url}/api/v1/events${query}`, headers);
    streams.push(stream);
    return stream;
  }

  it('streams the events of one application with their stream position, and resumes after Last-Event-ID', async () => {
    const stream = await open('?application=orders');
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    // The stream is open once the gateway has subscribed; publish until the first event shows.
    await eventually(async () => {
      await stageChanged('exec-1', 'orders', 'RUNNING');
      expect(stream.events.length).toBeGreaterThan(0);
    });
    await stageChanged('exec-2', 'payments', 'RUNNING');
    await stageChanged('exec-1', 'orders', 'SUCCEEDED');
    await eventually(() => expect(stream.events.at(-1)!.data['data']).toMatchObject({ to: 'SUCCEEDED' }));
    expect(
      stream.events.every((e) => (e.data['data'] as { application: string }).application === 'orders'),
    ).toBe(true);
    expect(stream.events[0]).toMatchObject({
      event: 'execution.stage-changed',
      data: { type: ExecutionStageChanged.type },
    });
    const ids = stream.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // A client that lost its connection after the first event gets the rest on reconnecting.
    const first = stream.events[0]!;
    const resumed = await open('?application=orders', { 'last-event-id': first.id! });
    await eventually(() =>
      expect(resumed.events.map((e) => e.id)).toEqual(stream.events.slice(1).map((e) => e.id)),
    );
  });

  it('follows one execution with its log lines, live', async () => {
    const stream = await open('?execution=exec-9');
    const line: LogLine = {
      executionId: 'exec-9',
      stageId: 'test',
      attempt: 1,
      seq: 0,
      stream: 'stdout',
      time: now(),
      text: 'PASS src/app.spec.ts',
    };
    await eventually(async () => {
      await stub.bus.client.publishLog(line);
      await stageChanged('exec-9', 'orders', 'RUNNING');
      expect(stream.events.map((e) => e.event)).toEqual(
        expect.arrayContaining(['log', 'execution.stage-changed']),
      );
    });
    expect(stream.events.find((e) => e.event === 'log')!.data).toMatchObject({
      text: 'PASS src/app.spec.ts',
      stageId: 'test',
    });
    expect(stream.events.find((e) => e.event === 'log')!.id).toBeUndefined();

    const stageLogs = await openEventStream(`${gateway.url}/api/v1/executions/exec-9/stages/test/logs/live`);
    streams.push(stageLogs);
    await eventually(async () => {
      await stub.bus.client.publishLog({ ...line, seq: 1, text: 'Tests: 12 passed' });
      expect(stageLogs.events.map((e) => e.data['text'])).toContain('Tests: 12 passed');
    });
  });

  it('needs a viewer unless reads are open, and validates its filters', async () => {
    const bad = await gateway.call('GET', '/api/v1/events?application=Not_Valid', { token: null });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0]!.field).toBe('application');
  });
});
