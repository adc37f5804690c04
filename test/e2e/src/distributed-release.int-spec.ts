import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort,
  Platform,
  pushNodeBaseImage,
  skopeoInspect,
  startPrometheus,
  startRegistry,
  type TestPrometheus,
  type TestRegistry,
} from '@aviary/test-support';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The demo scenario is the standalone app's.
import { AviaryApi } from '@aviary/standalone/demo/aviary-api';
import { runDemo, type DemoResult, type PushOutcome } from '@aviary/standalone/demo/demo-scenario';
import { expectStagesInOrder, pipelineStages, releaseRows, stageStatuses } from './execution-checks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/**
 * Short, but with enough points per interval to judge: two 10 s intervals of 2 s steps, after 5 s for
 * Prometheus to discover the new instances and for them to warm up. A ratio's `increase` covers one
 * step, so Prometheus scrapes the instances every 500 ms to have several samples in it.
 */
const ANALYSIS = { lifetime: '20s', interval: '10s', delay: '5s', step: '2s' };

/**
 * The demo, for real, on Aviary in the distributed mode: the seven services as separate processes on
 * NATS JetStream and PostgreSQL, images pushed to an OCI registry, the sample app run by the local
 * provider (instances that really serve the generated traffic) and scraped by a real Prometheus that
 * finds them through the deployer's HTTP service discovery, and the canary service judging on
 * Prometheus's data. Three pushes: a first release straight to production, a good change promoted
 * through a canary, a slower and failing one rolled back.
 */
describe('a release of the sample app on the distributed platform', () => {
  let registry: TestRegistry;
  let prometheus: TestPrometheus;
  let platform: Platform;
  let api: AviaryApi;
  let result: DemoResult;
  let work: string;
  const progress: string[] = [];

  const push = (index: number): PushOutcome => result.pushes[index]!;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'aviary-e2e-release-'));
    registry = await startRegistry();
    const baseImage = pushNodeBaseImage(registry.host);
    // Prometheus must know the deployer's address before the platform starts, and the canary
    // service Prometheus's.
    const deployerPort = await freePort();
    prometheus = await startPrometheus([
      {
        job: 'applications',
        httpSdUrl: `http://127.0.0.1:${deployerPort}/api/v1/local/targets`,
        scrapeInterval: '500ms',
      },
    ]);
    platform = await Platform.start({
      ports: { deployer: deployerPort },
      serviceEnv: {
        builder: {
          BUILDER_WORK_DIR: join(work, 'builder'),
          BUILDER_REGISTRY: registry.host,
          BUILDER_LOCAL_PACKAGES: 'true',
          BUILDER_BASE_IMAGE: baseImage,
        },
        deployer: {
          DEPLOYER_TARGETS: JSON.stringify({ '*': { kind: 'local' } }),
          DEPLOYER_LOCAL_ROOT: join(work, 'deployer'),
        },
        canary: { CANARY_PROMETHEUS_URL: prometheus.url },
      },
    });
    api = new AviaryApi(platform.gatewayUrl, platform.adminToken);
    try {
      result = await runDemo({
        api,
        sampleApp: join(root, 'examples', 'sample-app'),
        path: process.env['PATH'],
        uiUrl: platform.gatewayUrl,
        out: { line: (text) => progress.push(text), status: () => undefined },
        analysis: ANALYSIS,
        executionTimeoutMs: 5 * 60_000,
      });
    } catch (error) {
      throw new Error(
        `the demo did not complete: ${String(error)}\n\n${progress.join('\n')}\n\n${platform.logs(4_000)}`,
        { cause: error },
      );
    }
  }, 15 * 60_000);

  afterAll(async () => {
    // SIGTERM first: the deployer stops the sample app's processes as it shuts down.
    await platform?.stop();
    await prometheus?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('sends the first release straight to production, every stage in order', () => {
    const first = push(0);
    expect(first.execution.status).toBe('SUCCEEDED');
    expect(stageStatuses(first.execution)).toEqual({
      checkout: 'SUCCEEDED',
      install: 'SUCCEEDED',
      lint: 'SUCCEEDED',
      test: 'SUCCEEDED',
      'quality-scan': 'SUCCEEDED',
      'quality-gate': 'SUCCEEDED',
      build: 'SUCCEEDED',
      'deploy-homolog': 'SUCCEEDED',
      'deploy-production': 'SUCCEEDED',
      notify: expect.stringMatching(/^(SUCCEEDED|FAILED_CONTINUE)$/),
    });
    expectStagesInOrder(first.execution, pipelineStages({ canary: false }));
  });

  it('promotes a good change after its canary is judged PASS on Prometheus data', async () => {
    const good = push(1);
    // The whole judgment in one object, so a failure shows why (each metric's explanation).
    expect(await judgment(good)).toMatchObject({
      status: 'SUCCEEDED',
      verdict: 'pass',
      source: 'prometheus',
      intervals: [
        { classification: 'Pass', metrics: [{ classification: 'Pass' }, { classification: 'Pass' }] },
        { classification: 'Pass', metrics: [{ classification: 'Pass' }, { classification: 'Pass' }] },
      ],
    });
    expect(stageStatuses(good.execution)).toMatchObject({
      'canary-deploy': 'SUCCEEDED',
      'canary-analysis': 'SUCCEEDED',
      'check-precondition': 'SUCCEEDED',
      promote: 'SUCCEEDED',
      rollback: 'SKIPPED',
    });
    expectStagesInOrder(good.execution, [...pipelineStages({ canary: true }), 'promote']);
    // Users' requests reached the instances: the analysis had traffic to judge.
    expect(good.traffic?.ok).toBeGreaterThan(100);
  });

  it('rolls back a slower, failing change after its canary is judged FAIL', async () => {
    const bad = push(2);
    // Stopped early: its first interval already scored at or below marginal, on its error rate.
    expect(await judgment(bad)).toMatchObject({
      status: 'FAILED',
      verdict: 'fail',
      source: 'prometheus',
      intervals: [
        {
          classification: 'Fail',
          metrics: [{ name: 'error-rate', classification: 'High' }, { name: 'latency' }],
        },
      ],
    });
    expect(stageStatuses(bad.execution)).toMatchObject({
      'canary-deploy': 'SUCCEEDED',
      'canary-analysis': 'FAILED',
      'check-precondition': 'FAILED',
      promote: 'SKIPPED',
      rollback: 'SUCCEEDED',
    });
    expectStagesInOrder(bad.execution, [...pipelineStages({ canary: true }), 'rollback']);
    expect(bad.traffic?.failed).toBeGreaterThan(0);
  });

  it('judged series Prometheus scraped from the instances the deployer runs', async () => {
    const [first, good] = [push(0).commit.sha, push(1).commit.sha];
    const tracks = async (sha: string) =>
      new Set(
        (
          await prometheusSeries(
            `http_request_duration_seconds_count{app="sample-app",namespace="production",version=~".*:${sha}@.*"}`,
          )
        ).map((labels) => labels['track']),
      );
    // The good change: a canary beside a baseline of the first release, promoted to production,
    // then the baseline of the bad change's canary.
    expect(await tracks(first)).toEqual(new Set(['stable', 'baseline']));
    expect(await tracks(good)).toEqual(new Set(['canary', 'stable', 'baseline']));
  });

  it('pushed each build to the registry, tagged with its commit sha', () => {
    for (const outcome of result.pushes) {
      const sha = outcome.commit.sha;
      const build = outcome.execution.stages.find((stage) => stage.stageId === 'build')!;
      const image = skopeoInspect(`${registry.host}/sample-app:${sha}`) as {
        Digest: string;
        Labels: Record<string, string>;
      };
      expect(image.Labels['org.opencontainers.image.revision']).toBe(sha);
      expect(build.outputs['imageUrl']).toBe(`${registry.host}/sample-app:${sha}@${image.Digest}`);
    }
  });

  it('leaves production on the promoted version, each release at the end of its state machine', async () => {
    const [first, good, bad] = [push(0), push(1), push(2)];
    const releases = await releaseRows(platform, 'sample-app');
    expect(releases).toEqual([
      { environment: 'homolog', version: first.commit.sha, state: 'healthy' },
      { environment: 'production', version: first.commit.sha, state: 'healthy' },
      { environment: 'homolog', version: good.commit.sha, state: 'healthy' },
      { environment: 'production', version: good.commit.sha, state: 'promoted' },
      { environment: 'homolog', version: bad.commit.sha, state: 'healthy' },
      { environment: 'production', version: bad.commit.sha, state: 'rolled-back' },
    ]);
    const { environments } = await gateway<{
      environments: Array<{ environment: string; serverGroups: Array<{ role: string; image: string }> }>;
    }>('/api/v1/applications/sample-app/environments');
    const production = environments.find((e) => e.environment === 'production');
    expect(production?.serverGroups.map((g) => ({ role: g.role, image: g.image }))).toEqual([
      { role: 'production', image: imageOf(good) },
    ]);
    // And the production address answers, from the good version.
    const endpoint = String(
      good.execution.stages.find((stage) => stage.stageId === 'canary-deploy')?.outputs['endpoint'],
    );
    const answer = await fetch(new URL('/health', endpoint));
    expect(answer.status).toBe(200);
  });

  function imageOf(outcome: PushOutcome): string {
    return String(outcome.execution.stages.find((stage) => stage.stageId === 'build')?.outputs['imageUrl']);
  }

  /** The execution's end and its canary report: verdict, source, each interval's metrics and why. */
  async function judgment(outcome: PushOutcome) {
    const report = await gateway<{
      verdict: string;
      summary?: string;
      details: { source: string };
      intervals: Array<{
        classification: string;
        metrics: Array<{ name: string; classification: string; explanation: string }>;
      }>;
    }>(`/api/v1/executions/${outcome.execution.executionId}/stages/canary-analysis/canary-report`);
    return {
      status: outcome.execution.status,
      verdict: report.verdict,
      summary: report.summary,
      source: report.details.source,
      intervals: report.intervals.map((interval) => ({
        classification: interval.classification,
        metrics: interval.metrics.map((m) => ({
          name: m.name,
          classification: m.classification,
          explanation: m.explanation,
        })),
      })),
    };
  }

  async function gateway<T>(path: string): Promise<T> {
    const response = await fetch(new URL(path, platform.gatewayUrl), {
      headers: { authorization: `Bearer ${platform.adminToken}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  async function prometheusSeries(match: string): Promise<Array<Record<string, string>>> {
    const url = new URL('/api/v1/series', prometheus.url);
    url.searchParams.set('match[]', match);
    url.searchParams.set('start', String(Date.now() / 1000 - 3600));
    const body = (await (await fetch(url)).json()) as { data: Array<Record<string, string>> };
    return body.data;
  }
});
