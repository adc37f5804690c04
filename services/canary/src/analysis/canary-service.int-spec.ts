import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Envelope,
  GetCanaryReport,
  ReplayCanaryAnalysis,
  StageCommands,
  type StageCommandData,
} from '@aviary/events';
import { createJetStreamBus, type Bus } from '@aviary/messaging';
import { type RunningService, startService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  eventually,
  eventuallyFound,
  freePort,
  isolatedServiceEnv,
  TcpProxy,
} from '@aviary/test-support';
import { pino } from 'pino';
import { canaryService } from '../service.js';
import { type MetricsApp, startMetricsApp, testCanaryConfig } from '../testing/metrics-app.js';

const commands = StageCommands.canary;

/** The canary service on the bus (real NATS and PostgreSQL), scraping real processes itself. */
describe('the canary service', () => {
  let service: RunningService;
  let client: Bus;
  const seen: Envelope[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const apps: Record<string, MetricsApp> = {};
  let env: Record<string, string>;

  beforeAll(async () => {
    apps['baseline'] = await startMetricsApp({ latencyMs: 100, seed: 11 });
    apps['slow'] = await startMetricsApp({ latencyMs: 140, seed: 12 });
    apps['same'] = await startMetricsApp({ latencyMs: 100, seed: 13 });
    const isolated = await isolatedServiceEnv('can', { CANARY_LEASE_MS: '2000', CANARY_SETTLE_MS: '300' });
    cleanups.push(() => isolated.cleanup(['canary']));
    env = isolated.env;
    service = await startService(canaryService, { env });
    client = createJetStreamBus({
      service: 'canary-test',
      servers: isolated.natsUrl,
      ...isolated.names,
      logger: pino({ level: 'silent' }),
    });
    const feed = await client.client.subscribeEvents('aviary.evt.stage.canary.>');
    void (async () => {
      for await (const event of feed) seen.push(event.envelope);
    })();
    cleanups.push(() => Promise.resolve(feed.close()));
    await eventually(async () => expect((await fetch(`${service.url}/health`)).status).toBe(200), 20_000);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await client?.close();
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  let executions = 0;
  function analyze(canary: 'slow' | 'same', settings: Record<string, unknown> = {}): StageCommandData {
    return {
      executionId: `exec-${++executions}-${Date.now()}`,
      stageId: 'canary-analysis',
      attempt: 1,
      application: 'shop',
      stageType: 'canary-analysis',
      trigger: {
        kind: 'push',
        provider: 'github',
        repository: 'https://github.com/acme/shop',
        ref: 'refs/heads/main',
        branch: 'main',
        sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      },
      settings: {
        config: 'shop',
        canaryConfig: testCanaryConfig,
        lifetime: 8000,
        interval: 4000,
        delay: 1000,
        step: 1000,
        thresholds: { pass: 90, marginal: 70 },
        baselineScope: 'shop-baseline',
        canaryScope: `shop-${canary}`,
        location: 'production',
        baselineTargets: [apps['baseline']!.metricsUrl],
        canaryTargets: [apps[canary]!.metricsUrl],
        ...settings,
      },
      inputs: {},
      deadline: new Date(Date.now() + 120_000).toISOString(),
    };
  }
  const eventsOf = (command: StageCommandData) =>
    seen.filter((e) => (e.data as { executionId: string }).executionId === command.executionId);
  const result = (command: StageCommandData, timeoutMs = 40_000) =>
    eventuallyFound(
      `the result of ${command.executionId}`,
      () => eventsOf(command).find((e) => /\.(completed|failed)\.v1$/.test(e.type)),
      timeoutMs,
      100,
    );

  it('passes a canary like its baseline: one progress event per interval, then completed with score, verdict, report', async () => {
    const command = analyze('same');
    await client.client.publish(commands.analyze, command);
    await client.client.publish(commands.analyze, command); // delivered twice: handled once
    const done = await result(command);
    const reportId = `${command.executionId}/canary-analysis/1`;
    expect(done.type).toBe('dev.aviary.evt.stage.canary.completed.v1');
    expect(done.data).toMatchObject({ outputs: { score: 100, verdict: 'pass', reportId } });
    const types = eventsOf(command).map((e) => e.type.split('.').at(-2));
    expect(types).toEqual(['started', 'progress', 'progress', 'completed']);
    expect(eventsOf(command)[1]!.data).toMatchObject({ details: { interval: 1, score: 100 } });

    const reply = await client.client.query(GetCanaryReport, {
      executionId: command.executionId,
      stageId: 'canary-analysis',
    });
    expect(reply.found).toBe(true);
    if (!reply.found) return;
    expect(reply.report).toMatchObject({
      reportId,
      verdict: 'pass',
      score: 100,
      plannedIntervals: 2,
      thresholds: { pass: 90, marginal: 70 },
    });
    const [first, second] = reply.report.intervals!;
    expect(second!.canary.start).toBe(first!.canary.start); // growing window
    const latency = second!.metrics.find((m) => m.name === 'latency')!;
    expect(latency.canary.query).toBe(
      'avg(app_request_latency_ms{pod=~"shop-same.*",namespace="production"})',
    );
    expect(latency.baseline.series.length).toBeGreaterThanOrEqual(6);
    expect(latency.baseline.stats.count).toBeGreaterThanOrEqual(6);
    expect(latency.explanation).toMatch(/^Pass: /);
  }, 60_000);

  it('stops a canary 40 % slower after its first interval, and a replay with the latency muted passes it', async () => {
    const command = analyze('slow');
    await client.client.publish(commands.analyze, command);
    const done = await result(command);
    expect(done.type).toBe('dev.aviary.evt.stage.canary.failed.v1');
    expect(done.data).toMatchObject({
      outputs: { score: 0, verdict: 'fail' },
      error: { code: 'canary-failed', message: 'canary score 0 is not above the marginal threshold 70' },
    });
    expect(eventsOf(command).filter((e) => e.type.endsWith('.progress.v1'))).toHaveLength(1);
    const report = await client.client.query(GetCanaryReport, {
      executionId: command.executionId,
      stageId: 'canary-analysis',
      attempt: 1,
    });
    expect(report.found && report.report.intervals![0]!.metrics[0]).toMatchObject({
      name: 'latency',
      classification: 'High',
      critical: true,
    });

    const muted = structuredClone(testCanaryConfig);
    (muted.metrics[0]!.analysisConfigurations.canary as Record<string, unknown>)['muted'] = true;
    // Weights are never renormalised: the latency group's share goes to traffic by hand.
    muted.classifier.groupWeights = { response_time: 0, traffic: 100 };
    const replay = await client.client.query(ReplayCanaryAnalysis, {
      executionId: command.executionId,
      stageId: 'canary-analysis',
      config: muted,
    });
    expect(replay.found && replay.report).toMatchObject({ verdict: 'pass', score: 100 });
    const stricter = await client.client.query(ReplayCanaryAnalysis, {
      executionId: command.executionId,
      stageId: 'canary-analysis',
      thresholds: { pass: 0, marginal: 0 },
    });
    expect(stricter.found && stricter.report.verdict).toBe('fail');
  }, 60_000);

  it('stops an analysis at once when cancelled', async () => {
    const command = analyze('same', { lifetime: 120_000, interval: 60_000 });
    await client.client.publish(commands.analyze, command);
    await eventually(
      () => expect(eventsOf(command).some((e) => e.type.endsWith('.started.v1'))).toBe(true),
      20_000,
    );
    const cancelledAt = Date.now();
    await client.client.publish(commands.cancel, {
      executionId: command.executionId,
      stageId: 'canary-analysis',
      attempt: 1,
      reason: 'execution cancelled',
    });
    const done = await result(command, 10_000);
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect(done.data).toMatchObject({
      error: { code: 'cancelled', message: 'cancelled: execution cancelled' },
    });
  }, 30_000);

  it('fails at once on a config it cannot use, saying why', async () => {
    const command = analyze('same', {
      canaryConfig: { metrics: [{ name: 'm', analysisConfigurations: { canary: { critical: 'yes' } } }] },
    });
    await client.client.publish(commands.analyze, command);
    const done = await result(command);
    expect(done.data).toMatchObject({ error: { code: 'invalid-analysis', retryable: false } });
    expect((done.data as { error: { message: string } }).error.message).toContain(
      'critical: must be true or false',
    );
  }, 30_000);

  /** An analysis of three intervals, and the service stopped once the first one is judged. */
  async function stoppedAfterItsFirstInterval(): Promise<StageCommandData> {
    const command = analyze('same', { lifetime: 9000, interval: 3000 });
    await client.client.publish(commands.analyze, command);
    await eventually(
      () => expect(eventsOf(command).filter((e) => e.type.endsWith('.progress.v1'))).toHaveLength(1),
      20_000,
      100,
    );
    await service.close();
    return command;
  }

  it('continues an analysis in progress after a restart, from its last judged interval', async () => {
    const command = await stoppedAfterItsFirstInterval();
    service = await startService(canaryService, { env });
    const done = await result(command, 40_000);
    expect(done.data).toMatchObject({ outputs: { verdict: 'pass' } });
    const progress = eventsOf(command).filter((e) => e.type.endsWith('.progress.v1'));
    expect(progress.map((e) => (e.data as { details: { interval: number } }).details.interval)).toEqual([
      1, 2, 3,
    ]);
  }, 60_000);

  it('resumes an analysis as soon as its database answers after a restart, not a sweep later', async () => {
    const command = await stoppedAfterItsFirstInterval();
    // The new replica starts while its database does not answer yet; it sweeps every 30 s.
    const database = new URL(env['DATABASE_URL'] ?? (await databaseUrlForTests()));
    const proxy = new TcpProxy(
      { host: database.hostname, port: Number(database.port || 5432) },
      await freePort(),
    );
    const proxied = new URL(database);
    proxied.port = String(proxy.port);
    const restartedAt = Date.now();
    service = await startService(canaryService, {
      env: { ...env, DATABASE_URL: proxied.toString(), CANARY_LEASE_MS: '60000' },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await proxy.open();
      const done = await result(command, 40_000);
      expect(done.data).toMatchObject({ outputs: { verdict: 'pass' } });
      expect(Date.parse(done.time) - restartedAt).toBeLessThan(20_000);
    } finally {
      await service.close();
      await proxy.close();
      service = await startService(canaryService, { env });
    }
  }, 60_000);
});
