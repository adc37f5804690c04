import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { judge, parseCanaryConfig } from '@aviary/judge';
import { type Envelope, GetCanaryReport, StageCommands, type StageCommandData } from '@aviary/events';
import { createJetStreamBus } from '@aviary/messaging';
import { startService } from '@aviary/runtime';
import {
  eventually,
  eventuallyFound,
  isolatedServiceEnv,
  startPrometheus,
  type TestPrometheus,
} from '@aviary/test-support';
import { pino } from 'pino';
import { type AnalysisSpec } from '../analysis/analysis-spec.js';
import { fetchInterval } from '../analysis/judge-interval.js';
import { type MetricsApp, startMetricsApp, testCanaryConfig } from '../testing/metrics-app.js';
import { canaryService } from '../service.js';
import { PrometheusSource } from './prometheus/prometheus-source.js';

/** A real Prometheus scraping real processes: baseline, a canary 40 % slower, a canary like the baseline. */
describe('the Prometheus source on a real Prometheus', () => {
  let prometheus: TestPrometheus;
  const apps: MetricsApp[] = [];
  let source: PrometheusSource;
  const config = parseCanaryConfig(testCanaryConfig);

  beforeAll(async () => {
    const baseline = await startMetricsApp({ latencyMs: 100, seed: 1 });
    const slow = await startMetricsApp({ latencyMs: 140, seed: 2 });
    const same = await startMetricsApp({ latencyMs: 100, seed: 3 });
    apps.push(baseline, slow, same);
    prometheus = await startPrometheus([
      {
        job: 'baseline',
        targets: [baseline.host],
        labels: { pod: 'shop-baseline-0', namespace: 'production' },
      },
      { job: 'slow', targets: [slow.host], labels: { pod: 'shop-slow-0', namespace: 'production' } },
      { job: 'same', targets: [same.host], labels: { pod: 'shop-same-0', namespace: 'production' } },
    ]);
    source = new PrometheusSource({ url: prometheus.url, timeoutMs: 5000, retries: 2 });
    // Eight seconds of 1 s scrapes of every target.
    await eventually(
      async () => {
        const series = await source.query({
          side: 'baseline',
          query: { kind: 'promql', promql: 'count_over_time(app_request_latency_ms[20s])' },
          scope: { step: 1 },
          start: Date.now() - 1000,
          end: Date.now(),
          stepSeconds: 1,
        });
        expect(series).toHaveLength(3);
        for (const s of series) expect(s.points.at(-1)![1]).toBeGreaterThanOrEqual(9);
      },
      40_000,
      500,
    );
  }, 60_000);

  afterAll(async () => {
    await source?.close();
    await prometheus?.stop();
    await Promise.all(apps.map((app) => app.stop()));
  });

  const spec = (canaryScope: string): AnalysisSpec => ({
    configName: 'shop',
    thresholds: { pass: 90, marginal: 70 },
    stepSeconds: 1,
    source: 'prometheus',
    baseline: { scope: 'shop-baseline', location: 'production' },
    canary: { scope: canaryScope, location: 'production' },
    extendedScopeParams: {},
    targets: { baseline: [], canary: [] },
    intervals: [],
  });
  const window = () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
    return { index: 1, canary: { start: end - 6000, end }, baseline: { start: end - 6000, end }, dueAt: end };
  };

  it('fails the canary 40 % slower: latency High, critical', async () => {
    const fetched = await fetchInterval(config, spec('shop-slow'), window(), source);
    expect(fetched.queries['latency']).toEqual({
      baseline: 'avg(app_request_latency_ms{pod=~"shop-baseline.*",namespace="production"})',
      canary: 'avg(app_request_latency_ms{pod=~"shop-slow.*",namespace="production"})',
    });
    expect(fetched.pairs[0]!.values.control.length).toBeGreaterThanOrEqual(6);
    const result = judge(config, { pass: 90, marginal: 70 }, fetched.pairs);
    expect(result.results[0]).toMatchObject({ name: 'latency', classification: 'High', critical: true });
    expect(result.score).toMatchObject({ score: 0, classification: 'Fail' });
  });

  it('passes the canary like the baseline, rate of the request counter included', async () => {
    const fetched = await fetchInterval(config, spec('shop-same'), window(), source);
    expect(fetched.queries['throughput']!.canary).toBe(
      'avg(rate(http_requests_total{pod=~"shop-same.*",namespace="production"}[3s]))',
    );
    const result = judge(config, { pass: 90, marginal: 70 }, fetched.pairs);
    expect(result.results.map((r) => r.classification)).toEqual(['Pass', 'Pass']);
    expect(result.results[1]!.controlMetadata.stats.mean).toBeGreaterThan(100);
    expect(result.score).toMatchObject({ score: 100, classification: 'Pass' });
  });

  it('names the labels that differ when the sides do not line up, and explains a Prometheus refusal', async () => {
    const grouped = parseCanaryConfig({
      ...testCanaryConfig,
      metrics: [
        {
          name: 'by-pod',
          query: {
            metricName: 'app_request_latency_ms',
            customFilterTemplate: 'pod-in-namespace',
            groupByFields: ['pod'],
          },
        },
      ],
    });
    const fetched = await fetchInterval(grouped, spec('shop-slow'), window(), source);
    expect(fetched.warnings[0]).toContain('label values differ on pod');
    expect(fetched.warnings[0]).toContain('only in baseline: {pod="shop-baseline-0"}');
    await expect(
      source.query({
        side: 'canary',
        query: { kind: 'promql', promql: 'sum(' },
        scope: { step: 1 },
        start: Date.now() - 5000,
        end: Date.now(),
        stepSeconds: 1,
      }),
    ).rejects.toThrow(/Prometheus refused sum\(: bad_data/);
  });

  it('judges a past window at once through the canary service (a retrospective analysis)', async () => {
    const isolated = await isolatedServiceEnv('retro', { CANARY_PROMETHEUS_URL: prometheus.url });
    const service = await startService(canaryService, { env: isolated.env });
    const client = createJetStreamBus({
      service: 'canary-retro-test',
      servers: isolated.natsUrl,
      ...isolated.names,
      logger: pino({ level: 'silent' }),
    });
    const seen: Envelope[] = [];
    const feed = await client.client.subscribeEvents('aviary.evt.stage.canary.>');
    void (async () => {
      for await (const event of feed) seen.push(event.envelope);
    })();
    try {
      const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
      const command: StageCommandData = {
        executionId: `exec-retro-${Date.now()}`,
        stageId: 'canary-analysis',
        attempt: 1,
        application: 'shop',
        stageType: 'canary-analysis',
        trigger: {
          kind: 'manual',
          provider: 'aviary',
          repository: 'https://github.com/acme/shop',
          ref: 'refs/heads/main',
          sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
        },
        settings: {
          config: 'shop',
          canaryConfig: testCanaryConfig,
          lifetime: 60_000,
          interval: 3000,
          delay: 0,
          step: 1000,
          startTime: new Date(end - 6000).toISOString(),
          endTime: new Date(end).toISOString(),
          thresholds: { pass: 90, marginal: 70 },
          baselineScope: 'shop-baseline',
          canaryScope: 'shop-slow',
          location: 'production',
        },
        inputs: {},
        deadline: new Date(Date.now() + 60_000).toISOString(),
      };
      const started = Date.now();
      await client.client.publish(StageCommands.canary.analyze, command);
      const done = await eventuallyFound(
        'the retrospective analysis result',
        () =>
          seen.find(
            (e) =>
              (e.data as { executionId: string }).executionId === command.executionId &&
              /\.(completed|failed)\.v1$/.test(e.type),
          ),
        20_000,
        100,
      );
      // The whole window is in the past: no waiting for intervals to come due.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(done.data).toMatchObject({ outputs: { score: 0, verdict: 'fail' } });
      const reply = await client.client.query(GetCanaryReport, {
        executionId: command.executionId,
        stageId: 'canary-analysis',
      });
      expect(reply.found && reply.report.intervals![0]!.canary).toEqual({
        start: new Date(end - 6000).toISOString(),
        end: new Date(end - 3000).toISOString(),
      });
    } finally {
      feed.close();
      await client.close();
      await service.close();
      await isolated.cleanup(['canary']);
    }
  }, 60_000);
});
