import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  Platform,
  pushNodeBaseImage,
  startPrometheus,
  startRegistry,
  type TestPrometheus,
  type TestRegistry,
} from '@aviary/test-support';
// The demo's pieces (API client, the sample app's repository, the signed push, its users), built.
import { OciImageBuilder, parseImageReference, RegistryClient } from '@aviary/builder';
import { DEFAULT_GATE, evaluateQuality, parseUnifiedDiff, readReports } from '@aviary/quality-gate';
import { AviaryApi, type ExecutionState, type StageState } from '@aviary/standalone/demo/aviary-api';
import { githubPush } from '@aviary/standalone/demo/github-push';
import { SampleRepository, type Commit } from '@aviary/standalone/demo/sample-repository';
import { Traffic } from '@aviary/standalone/demo/traffic';

/**
 * `npm run bench -- e2e [--rounds=N]`: the sample app from a signed push webhook to production on
 * Aviary in the distributed mode (seven service processes, NATS, PostgreSQL, a registry, Prometheus,
 * the local provider), split by stage, with the canary analysis' time taken out; against the sum of
 * the stage commands run by hand in the same run, one after the other: `git clone --depth 1`, `npm
 * ci`, `npm run lint`, `npm run test:ci:cover`, the quality gate (the quality service's library on
 * the coverage report and the commit's diff), the image built and pushed by the builder's own image
 * builder, and for each deploy stage the app started as a process (the image's entrypoint) until
 * `/health` answers: homolog, then production (canary: canary and baseline, then the promoted
 * production). N rolling releases (each followed by its run by hand; medians, after one of each to
 * warm up), then one canary release promoted after its analysis.
 * Overhead = (Aviary - by hand) / by hand.
 */

const GOAL = 0.05;
/** The pause after each measured run. */
const SETTLE_MS = 2_000;
const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE_APP = join(here, '..', '..', 'examples', 'sample-app');
const APPLICATION = 'sample-app';
const ANALYSIS = { lifetime: '20s', interval: '10s', delay: '5s', step: '2s' };
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TERMINAL']);

interface AviaryRun {
  totalMs: number;
  analysisMs: number;
  /** The stages that ran until production changed, each with its duration. */
  stages: Array<{ id: string; durationMs: number }>;
  /** The critical path's stage time (lint and test, side by side, count as the longer one). */
  workMs: number;
}

interface HandRun {
  steps: Array<{ id: string; ms: number }>;
  totalMs: number;
}

function time(stage: StageState, field: 'startedAt' | 'endedAt'): number {
  const value = stage[field];
  if (!value) throw new Error(`stage ${stage.stageId} has no ${field}`);
  return Date.parse(value);
}

/** The builder's own daemonless image builder, the tool its build-image stage runs, used by hand. */
const imageBuilding = { OciImageBuilder, RegistryClient, parseImageReference };
type ImageBuilding = typeof imageBuilding;

/** One push through Aviary: from the webhook to the end of the stage that changed production. */
async function throughAviary(
  api: AviaryApi,
  repository: SampleRepository,
  secret: string,
  before: string,
  commit: Commit,
  production: 'deploy-production' | 'promote',
): Promise<AviaryRun> {
  const sentAt = Date.now();
  await api.sendWebhook(
    githubPush({
      repositoryUrl: repository.url,
      fullName: `bench/${APPLICATION}`,
      branch: 'main',
      before,
      commit,
      pusher: 'bench',
      secret,
    }),
  );
  let executionId: string | undefined;
  const deadline = Date.now() + 10 * 60_000;
  while (!executionId) {
    executionId = (await api.executions(APPLICATION)).find((e) => e.sha === commit.sha)?.executionId;
    if (!executionId) await sleep(100);
    if (Date.now() > deadline) throw new Error(`no execution for ${commit.sha}`);
  }
  let traffic: Traffic | undefined;
  let execution: ExecutionState;
  try {
    for (;;) {
      execution = await api.execution(executionId);
      // The canary's users: requests on the production address while the analysis runs.
      const deployed = execution.stages.find(
        (s) => s.stageId === 'canary-deploy' && s.status === 'SUCCEEDED',
      );
      const analysis = execution.stages.find((s) => s.stageId === 'canary-analysis');
      if (
        !traffic &&
        deployed &&
        typeof deployed.outputs['endpoint'] === 'string' &&
        analysis?.status === 'RUNNING'
      )
        traffic = new Traffic(deployed.outputs['endpoint'], { perSecond: 30 });
      if (ENDED.has(execution.status)) break;
      if (Date.now() > deadline) throw new Error(`execution ${executionId} did not end in 10 minutes`);
      // The times come from the stages' own timestamps, not from here: polling often would only load
      // the two cores the stages run on (gateway, orchestrator, database). The canary's analysis
      // waits 5 s (delay) before it measures, so traffic that starts up to 2 s late is in time.
      await sleep(2_000);
    }
  } finally {
    await traffic?.close();
  }
  const byId = new Map(execution.stages.map((s) => [s.stageId, s]));
  const last = byId.get(production);
  if (execution.status !== 'SUCCEEDED' || last?.status !== 'SUCCEEDED')
    throw new Error(
      `execution ${executionId} ended ${execution.status} (${production}: ${last?.status}): ${execution.reason ?? ''}`,
    );
  const analysis = byId.get('canary-analysis');
  const analysisMs = analysis ? time(analysis, 'endedAt') - time(analysis, 'startedAt') : 0;
  const ran = execution.stages.filter(
    (s) => s.startedAt && s.endedAt && time(s, 'startedAt') <= time(last, 'endedAt'),
  );
  const duration = (id: string) => {
    const s = byId.get(id);
    return s?.startedAt && s.endedAt ? time(s, 'endedAt') - time(s, 'startedAt') : 0;
  };
  const path =
    production === 'promote' ? ['canary-deploy', 'check-precondition', 'promote'] : ['deploy-production'];
  const workMs =
    ['checkout', 'install', 'quality-scan', 'quality-gate', 'build', 'deploy-homolog', ...path]
      .map(duration)
      .reduce((a, b) => a + b, 0) + Math.max(duration('lint'), duration('test'));
  return {
    totalMs: time(last, 'endedAt') - sentAt - analysisMs,
    analysisMs,
    stages: ran.map((s) => ({ id: s.stageId, durationMs: time(s, 'endedAt') - time(s, 'startedAt') })),
    workMs,
  };
}

/** The deploy stages' work by hand: one app process per instance a stage starts. */
const DEPLOYS_BY_HAND: Record<'deploy-production' | 'promote', Array<{ id: string; starts: number }>> = {
  'deploy-production': [
    { id: 'deploy homolog', starts: 1 },
    { id: 'deploy production', starts: 1 },
  ],
  promote: [
    { id: 'deploy homolog', starts: 1 },
    { id: 'canary + baseline', starts: 2 },
    { id: 'promote', starts: 1 },
  ],
};

/** The stage commands by hand: each after the other, timed. */
async function byHand(
  url: string,
  sha: string,
  registry: TestRegistry,
  baseImage: string,
  root: string,
  images: ImageBuilding,
  production: 'deploy-production' | 'promote',
): Promise<HandRun> {
  // Kept until the bench ends, as Aviary's workspaces are: deleting node_modules (thousands of files,
  // on a file system mounted with online discard) kept the disk busy into the next run, which was
  // Aviary's every other round.
  const dir = mkdtempSync(join(root, `by-hand-${sha.slice(0, 8)}-`));
  const steps: HandRun['steps'] = [];
  const step = async (id: string, run: () => unknown) => {
    const started = performance.now();
    await run();
    steps.push({ id, ms: performance.now() - started });
  };
  const sh = (command: string, env: Record<string, string> = {}) =>
    execFileSync('/bin/sh', ['-c', command], {
      cwd: dir,
      env: { ...process.env, CI: 'true', ...env },
      stdio: 'ignore',
    });
  await step('git clone', () =>
    execFileSync('git', ['clone', '-q', '--depth', '1', url, dir], { stdio: 'ignore' }),
  );
  await step('npm ci', () => sh('npm ci'));
  await step('npm run lint', () => sh('npm run lint'));
  await step('npm run test:ci:cover', () => sh('npm run test:ci:cover', { NODE_ENV: 'test' }));
  await step('quality gate', () => {
    const coverage = 'coverage/lcov.info';
    const diff = execFileSync('git', ['show', '--format=', '--unified=0', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const result = evaluateQuality(
      readReports([{ kind: 'coverage', file: coverage, content: readFileSync(join(dir, coverage)) }]),
      { gate: DEFAULT_GATE, changedLines: parseUnifiedDiff(diff) },
    );
    if (result.unreadable.length > 0)
      throw new Error(`unreadable reports: ${JSON.stringify(result.unreadable)}`);
  });
  await step('image build + push', () =>
    new images.OciImageBuilder(new images.RegistryClient({ credentials: {}, insecure: [] })).build(
      {
        context: dir,
        base: images.parseImageReference(baseImage),
        target: { registry: registry.host, repository: `by-hand/${APPLICATION}` },
        tags: [sha],
        workdir: '/app',
        user: '1000',
        env: {},
        labels: { 'org.opencontainers.image.source': url, 'org.opencontainers.image.revision': sha },
        buildDir: join(root, `by-hand-build-${sha.slice(0, 8)}`),
      },
      () => undefined,
    ),
  );
  for (const deploy of DEPLOYS_BY_HAND[production])
    await step(deploy.id, async () => {
      for (let i = 0; i < deploy.starts; i++) await startAndWait(dir);
    });
  return { steps, totalMs: steps.reduce((sum, s) => sum + s.ms, 0) };
}

/** `node src/server.js` (the image's entrypoint) on a free port, until `/health` answers 200; then stopped. */
async function startAndWait(dir: string): Promise<void> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/server.js'], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('the sample app did not answer /health within 30 s');
      await sleep(20);
    }
  } finally {
    child.kill('SIGTERM');
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One row of the comparison: a command by hand, the stages doing it in Aviary. */
interface Row {
  label: string;
  stages: string[];
  hand?: string;
}

function rows(production: 'deploy-production' | 'promote'): Row[] {
  return [
    { label: 'git clone --depth 1', stages: ['checkout'], hand: 'git clone' },
    { label: 'npm ci', stages: ['install'], hand: 'npm ci' },
    { label: 'npm run lint (Aviary: beside test)', stages: ['lint'], hand: 'npm run lint' },
    { label: 'npm run test:ci:cover', stages: ['test'], hand: 'npm run test:ci:cover' },
    { label: 'quality scan + gate', stages: ['quality-scan', 'quality-gate'], hand: 'quality gate' },
    { label: 'image build + push (Aviary: + package)', stages: ['build'], hand: 'image build + push' },
    { label: 'deploy homolog: start the app', stages: ['deploy-homolog'], hand: 'deploy homolog' },
    ...(production === 'promote'
      ? [
          {
            label: 'canary-deploy: start canary + baseline',
            stages: ['canary-deploy'],
            hand: 'canary + baseline',
          },
          { label: 'Aviary only: precondition', stages: ['check-precondition'] },
          { label: 'promote: start production', stages: ['promote'], hand: 'promote' },
        ]
      : [
          {
            label: 'deploy production: start the app',
            stages: ['deploy-production'],
            hand: 'deploy production',
          },
        ]),
  ];
}

interface Comparison {
  aviaryMs: number;
  handMs: number;
  overhead: number;
  orchestrationMs: number;
  byRow: Array<{ label: string; aviaryMs: number; handMs?: number }>;
}

/** Medians over the rounds of each row, of the totals, of the time between stages. */
function compare(
  production: 'deploy-production' | 'promote',
  aviary: AviaryRun[],
  hand: HandRun[],
): Comparison {
  const stageMs = (run: AviaryRun, ids: string[]) =>
    ids.map((id) => run.stages.find((stage) => stage.id === id)?.durationMs ?? 0).reduce((a, b) => a + b, 0);
  const handMs = (run: HandRun, id: string) => run.steps.find((step) => step.id === id)?.ms ?? 0;
  const aviaryMs = median(aviary.map((run) => run.totalMs));
  const totalByHand = median(hand.map((run) => run.totalMs));
  return {
    aviaryMs,
    handMs: totalByHand,
    overhead: Math.round(((aviaryMs - totalByHand) / totalByHand) * 1000) / 1000,
    orchestrationMs: median(aviary.map((run) => run.totalMs - run.workMs)),
    byRow: rows(production).map((row) => ({
      label: row.label,
      aviaryMs: median(aviary.map((run) => stageMs(run, row.stages))),
      ...(row.hand ? { handMs: median(hand.map((run) => handMs(run, row.hand!))) } : {}),
    })),
  };
}

function print(title: string, c: Comparison, analysisMs?: number): void {
  console.log(`\n${title}`);
  console.log(`  ${'step'.padEnd(48)} ${'Aviary'.padStart(8)} ${'by hand'.padStart(8)}`);
  for (const row of c.byRow)
    console.log(
      `  ${row.label.padEnd(48)} ${s(row.aviaryMs).padStart(8)} ${(row.handMs === undefined ? '-' : s(row.handMs)).padStart(8)}`,
    );
  console.log(
    `  ${'webhook -> first stage, between stages'.padEnd(48)} ${s(c.orchestrationMs).padStart(8)} ${'-'.padStart(8)}`,
  );
  if (analysisMs !== undefined)
    console.log(
      `  ${'canary analysis (excluded)'.padEnd(48)} ${s(analysisMs).padStart(8)} ${'-'.padStart(8)}`,
    );
  console.log(
    `  ${'webhook -> production'.padEnd(48)} ${s(c.aviaryMs).padStart(8)} ${s(c.handMs).padStart(8)}`,
  );
  console.log(`  overhead (Aviary - by hand) / by hand: ${pct(c.overhead)}`);
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(/^--rounds=(\d+)$/.exec(args.find((a) => a.startsWith('--rounds=')) ?? '')?.[1] ?? 3);
  const images = imageBuilding;
  const root = mkdtempSync(join(tmpdir(), 'aviary-bench-e2e-'));
  let registry: TestRegistry | undefined;
  let prometheus: TestPrometheus | undefined;
  let platform: Platform | undefined;
  let repository: SampleRepository | undefined;
  try {
    registry = await startRegistry();
    const baseImage = pushNodeBaseImage(registry.host);
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
      logLevel: 'warn',
      serviceEnv: {
        builder: {
          BUILDER_WORK_DIR: join(root, 'builder'),
          BUILDER_REGISTRY: registry.host,
          BUILDER_LOCAL_PACKAGES: 'true',
          BUILDER_BASE_IMAGE: baseImage,
        },
        deployer: {
          DEPLOYER_TARGETS: JSON.stringify({ '*': { kind: 'local' } }),
          DEPLOYER_LOCAL_ROOT: join(root, 'deployer'),
        },
        canary: { CANARY_PROMETHEUS_URL: prometheus.url },
      },
    });
    const api = new AviaryApi(platform.gatewayUrl, platform.adminToken);
    repository = await SampleRepository.create(SAMPLE_APP, process.env['PATH']);
    const secret = randomBytes(24).toString('base64url');
    await api.createApplication({
      name: APPLICATION,
      provider: 'github',
      repositoryUrl: repository.url,
      defaultBranch: 'main',
      webhookSecret: secret,
    });

    let before = '0'.repeat(40);
    const rolling: AviaryRun[] = [];
    const rollingByHand: HandRun[] = [];
    await repository.setPipeline({ canaryEnabled: false, analysis: ANALYSIS });
    // Round 0 warms both sides up (npm's cache, the registry's base layers) and is not counted.
    // Each run leaves work behind (deleted folders written back, stopping processes): a pause before
    // the next, and the order alternating round by round, so that neither side always pays for it.
    const settle = () => sleep(SETTLE_MS);
    for (let round = 0; round <= rounds; round++) {
      if (round > 0) await repository.edit('README.md', (text) => `${text}\nRelease ${round}.\n`);
      const commit = await repository.commit(`sample-app: release ${round}`);
      const viaAviary = async () => {
        const run = await throughAviary(api, repository!, secret, before, commit, 'deploy-production');
        await settle();
        return run;
      };
      const viaHand = async () => {
        const run = await byHand(
          repository!.url,
          commit.sha,
          registry!,
          baseImage,
          root,
          images,
          'deploy-production',
        );
        await settle();
        return run;
      };
      const handFirst = round % 2 === 1;
      const hand = handFirst ? await viaHand() : undefined;
      const aviary = await viaAviary();
      const handAfter = hand ?? (await viaHand());
      if (round > 0) {
        rolling.push(aviary);
        rollingByHand.push(handAfter);
      }
      before = commit.sha;
    }

    await repository.setPipeline({ canaryEnabled: true, analysis: ANALYSIS });
    await repository.edit('README.md', (text) => `${text}\nReleased through a canary.\n`);
    const commit = await repository.commit('sample-app: release through a canary');
    // One canary release: by hand once before it and once after, both counted.
    const canaryByHand = [
      await byHand(repository.url, commit.sha, registry, baseImage, root, images, 'promote'),
    ];
    await settle();
    const canary = await throughAviary(api, repository, secret, before, commit, 'promote');
    await settle();
    canaryByHand.push(await byHand(repository.url, commit.sha, registry, baseImage, root, images, 'promote'));

    const r = compare('deploy-production', rolling, rollingByHand);
    const c = compare('promote', [canary], canaryByHand);
    console.log('e2e benchmark: examples/sample-app, a signed GitHub push -> production, distributed mode');
    print(`1. rolling release, straight to production (median of ${rounds})`, r);
    console.log(
      `  each round, webhook -> production: Aviary ${rolling.map((run) => s(run.totalMs)).join(', ')}; by hand ${rollingByHand.map((run) => s(run.totalMs)).join(', ')}`,
    );
    print(
      '2. canary release, promoted after its analysis (by hand: once before, once after)',
      c,
      canary.analysisMs,
    );
    const figures = {
      rounds,
      rollingAviaryMs: Math.round(r.aviaryMs),
      rollingByHandMs: Math.round(r.handMs),
      rollingOverhead: r.overhead,
      rollingBetweenStagesMs: Math.round(r.orchestrationMs),
      rollingRoundsAviaryMs: rolling.map((run) => Math.round(run.totalMs)),
      rollingRoundsByHandMs: rollingByHand.map((run) => Math.round(run.totalMs)),
      canaryAviaryMs: Math.round(c.aviaryMs),
      canaryAnalysisMs: Math.round(canary.analysisMs),
      canaryByHandMs: Math.round(c.handMs),
      canaryOverhead: c.overhead,
      rollingStagesMs: Object.fromEntries(r.byRow.map((row) => [row.label, Math.round(row.aviaryMs)])),
      rollingByHandStepsMs: Object.fromEntries(
        r.byRow.flatMap((row) => (row.handMs === undefined ? [] : [[row.label, Math.round(row.handMs)]])),
      ),
    };
    console.log('');
    console.log(
      JSON.stringify({
        bench: 'e2e',
        figures,
        goal: 'overhead under 5 %',
        met: figures.rollingOverhead < GOAL && figures.canaryOverhead < GOAL,
      }),
    );
  } finally {
    await repository?.remove();
    await platform?.stop();
    await prometheus?.stop();
    await registry?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
