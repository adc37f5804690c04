import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GetStageLogs, StageCommands, type StageCommandData } from '@aviary/events';
import { builderService } from '@aviary/builder';
import { createJetStreamBus, type StreamedEvent } from '@aviary/messaging';
import { startService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  natsUrlForTests,
  pushNodeBaseImage,
  startRegistry,
  uniqueBusNames,
  uniqueSchemaName,
  type TestRegistry,
} from '@aviary/test-support';
import { pino } from 'pino';

/**
 * `npm run bench -- builder [--rounds=N]`, on examples/sample-app pushed to a local bare repository:
 *
 * 1. checkout + install + lint + test through the builder service (stage commands on real NATS and
 *    PostgreSQL, logs streamed and stored) against the same commands in a shell (`git clone --depth 1`,
 *    `npm ci`, `npm run lint`, `npm run test:ci:cover`), alternating, medians of N rounds;
 * 2. an image build + push by the builder into an empty registry (its base image in another one, so
 *    every layer travels, as on a first push) against `skopeo copy` of the same image as an OCI layout
 *    into an empty registry;
 * 3. the same build again with nothing changed: how many layers it uploads.
 */

const PIPELINE_GOAL = 1.1;
const PUSH_GOAL = 1.5;
const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE_APP = join(here, '..', '..', 'examples', 'sample-app');
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sh(command: string, cwd: string): void {
  execFileSync('/bin/sh', ['-c', command], { cwd, env: GIT_ENV, stdio: 'ignore' });
}

/** The sample app as a team's repository: a bare remote holding one commit of it. */
function sampleRepository(root: string): { url: string; sha: string } {
  const work = join(root, 'work');
  cpSync(SAMPLE_APP, work, {
    recursive: true,
    filter: (path) => !/\/(node_modules|coverage|reports)(\/|$)/.test(path.slice(SAMPLE_APP.length)),
  });
  sh('git init -q -b main && git add -A && git commit -q -m "sample app"', work);
  sh(`git clone -q --bare ${work} ${join(root, 'sample-app.git')}`, root);
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).trim();
  return { url: `file://${join(root, 'sample-app.git')}`, sha };
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(/^--rounds=(\d+)$/.exec(args.find((a) => a.startsWith('--rounds=')) ?? '')?.[1] ?? 3);
  const root = mkdtempSync(join(tmpdir(), 'aviary-bench-builder-'));
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bench')}_`;
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  const registries: TestRegistry[] = [];
  const { url, sha } = sampleRepository(root);

  const builder = await startService(builderService, {
    env: {
      // As in production: the service's whole environment (steps inherit tools, proxies, CA certificates).
      ...process.env,
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      PORT: '0',
      LOG_LEVEL: 'silent',
      BUILDER_WORK_DIR: join(root, 'builder'),
    },
  });
  const client = createJetStreamBus({
    service: 'bench',
    servers: natsUrl,
    ...names,
    logger: pino({ level: 'silent' }),
  });
  const results = new Map<string, (event: StreamedEvent) => void>();
  const feed = await client.client.subscribeEvents('aviary.evt.stage.builder.>');
  void (async () => {
    for await (const event of feed) {
      const data = event.envelope.data as { executionId: string; stageId: string };
      if (/\.(completed|failed)\.v1$/.test(event.subject))
        results.get(`${data.executionId}/${data.stageId}`)?.(event);
    }
  })();

  const stage = async (
    executionId: string,
    stageId: string,
    action: 'checkout' | 'run' | 'build-image',
    settings: Record<string, unknown>,
    attempt = 1,
  ) => {
    const data: StageCommandData = {
      executionId,
      stageId,
      attempt,
      application: 'sample-app',
      stageType: action,
      trigger: {
        kind: 'push',
        provider: 'generic',
        repository: url,
        ref: 'refs/heads/main',
        branch: 'main',
        sha,
      },
      settings,
      inputs: {},
      deadline: new Date(Date.now() + 10 * 60_000).toISOString(),
    };
    const done = new Promise<StreamedEvent>((resolve) => results.set(`${executionId}/${stageId}`, resolve));
    await client.client.publish(StageCommands.builder[action], data);
    const event = await done;
    if (!event.subject.includes('completed'))
      throw new Error(
        `${stageId} failed: ${JSON.stringify((event.envelope.data as { error: unknown }).error)}`,
      );
    return event.envelope.data as { outputs: Record<string, unknown> };
  };

  try {
    // 1. The pipeline's first stages, alternating sides; the first round of each warms caches.
    const builderTimes: number[] = [];
    const shellTimes: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const executionId = `bench-${randomUUID()}`;
      let started = performance.now();
      await stage(executionId, 'checkout', 'checkout', { ref: sha });
      await stage(executionId, 'install', 'run', { command: 'npm ci --no-audit --no-fund' });
      await stage(executionId, 'lint', 'run', { command: 'npm run lint' });
      await stage(executionId, 'test', 'run', {
        command: 'npm run test:ci:cover',
        reports: {
          coverage: 'coverage/lcov.info',
          coverageSummary: 'coverage/coverage-summary.json',
          junit: 'reports/junit.xml',
        },
      });
      if (round > 0) builderTimes.push(performance.now() - started);

      const dir = join(root, `shell-${round}`);
      started = performance.now();
      sh(`git clone -q --depth 1 ${url} ${dir}`, root);
      sh('npm ci --no-audit --no-fund && npm run lint && npm run test:ci:cover', dir);
      if (round > 0) shellTimes.push(performance.now() - started);
      rmSync(dir, { recursive: true, force: true });
    }

    // 2. Image build + push vs skopeo copy of the same image as an OCI layout.
    const baseRegistry = await startRegistry();
    registries.push(baseRegistry);
    const base = pushNodeBaseImage(baseRegistry.host);
    const buildExecution = `bench-${randomUUID()}`;
    await stage(buildExecution, 'checkout', 'checkout', { ref: sha });
    await stage(buildExecution, 'install', 'run', { command: 'npm ci --no-audit --no-fund' });
    const pushTimes: number[] = [];
    const skopeoTimes: number[] = [];
    let lastRepository = '';
    let attempt = 0;
    for (let round = 0; round < rounds; round++) {
      const target = await startRegistry();
      registries.push(target);
      const started = performance.now();
      lastRepository = `${target.host}/bench/sample-app`;
      await stage(
        buildExecution,
        'build',
        'build-image',
        { repository: lastRepository, tag: sha, baseImage: base },
        ++attempt,
      );
      pushTimes.push(performance.now() - started);
      const lastImage = `${lastRepository}:${sha}`;

      const layout = join(root, `layout-${round}`);
      execFileSync('skopeo', [
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        `docker://${lastImage}`,
        `oci:${layout}:${sha}`,
      ]);
      const fresh = await startRegistry();
      registries.push(fresh);
      const copyStarted = performance.now();
      execFileSync('skopeo', [
        'copy',
        '--quiet',
        '--dest-tls-verify=false',
        `oci:${layout}:${sha}`,
        `docker://${fresh.host}/bench/sample-app:${sha}`,
      ]);
      skopeoTimes.push(performance.now() - copyStarted);
    }

    if (args.includes('--verbose')) {
      const first = await client.client.query(GetStageLogs, {
        executionId: buildExecution,
        stageId: 'build',
        attempt: 1,
        limit: 100,
      });
      const t0 = Date.parse(first.lines[0]?.time ?? new Date().toISOString());
      for (const line of first.lines) console.log(`  +${Date.parse(line.time) - t0} ms  ${line.text}`);
    }

    // 3. The same build again into the last registry: nothing changed, nothing should be uploaded.
    const again = performance.now();
    await stage(
      buildExecution,
      'build',
      'build-image',
      { repository: lastRepository, tag: sha, baseImage: base },
      ++attempt,
    );
    const secondBuildMs = performance.now() - again;
    const log = await client.client.query(GetStageLogs, {
      executionId: buildExecution,
      stageId: 'build',
      attempt,
      limit: 5000,
    });
    const uploaded = log.lines.filter((line) => line.text.startsWith('uploaded layer')).length;
    const skipped = log.lines.filter((line) => line.text.startsWith('skipped layer')).length;

    const figures = {
      shellMs: Math.round(median(shellTimes)),
      builderMs: Math.round(median(builderTimes)),
      pipelineRatio: Math.round((median(builderTimes) / median(shellTimes)) * 1000) / 1000,
      buildPushMs: Math.round(median(pushTimes)),
      skopeoCopyMs: Math.round(median(skopeoTimes)),
      pushRatio: Math.round((median(pushTimes) / median(skopeoTimes)) * 1000) / 1000,
      secondBuildMs: Math.round(secondBuildMs),
      secondBuildLayersUploaded: uploaded,
      secondBuildLayersSkipped: skipped,
    };
    const row = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
    console.log(`builder benchmark: examples/sample-app, median of ${rounds} rounds after a warm-up\n`);
    row('checkout+install+lint+test, shell (git clone, npm ...)', `${figures.shellMs} ms`);
    row('checkout+install+lint+test, through the builder', `${figures.builderMs} ms`);
    row('  ratio (goal <= 1.1)', `${figures.pipelineRatio}x`);
    row('image build + push into an empty registry, builder', `${figures.buildPushMs} ms`);
    row('skopeo copy of the same image (OCI layout) into one', `${figures.skopeoCopyMs} ms`);
    row('  ratio (goal <= 1.5)', `${figures.pushRatio}x`);
    row('second build, nothing changed', `${figures.secondBuildMs} ms`);
    row('  layers uploaded (goal 0) / skipped', `${uploaded} / ${skipped}`);
    console.log('');
    console.log(
      JSON.stringify({
        bench: 'builder',
        figures,
        goal: 'checkout+install+lint+test through the builder <= 1.1x the same commands in a shell; image build+push <= 1.5x skopeo copy of an equivalent OCI layout; a second build with nothing changed uploads no layer',
        met: figures.pipelineRatio <= PIPELINE_GOAL && figures.pushRatio <= PUSH_GOAL && uploaded === 0,
      }),
    );
  } finally {
    feed.close();
    await builder.close();
    await client.close();
    for (const registry of registries) await registry.stop();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}builder`).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}
