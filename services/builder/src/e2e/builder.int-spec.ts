import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  GetStageLogs,
  GetChangedLines,
  ReadRepositoryFile,
  StageCommands,
  type DataOf,
  type LogLine,
  type StageCommandData,
} from '@aviary/events';
import {
  ARTIFACTS_BUCKET,
  artifactObjectName,
  createJetStreamBus,
  type Bus,
  type Feed,
  PackageManifest,
  type StreamedEvent,
} from '@aviary/messaging';
import { startService, type RunningService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  natsUrlForTests,
  pushNodeBaseImage,
  skopeoInspect,
  startRegistry,
  uniqueBusNames,
  uniqueSchemaName,
  type TestRegistry,
} from '@aviary/test-support';
import { pino } from 'pino';
import { extract } from 'tar-stream';
import { builderService } from '../service.js';
import { TestRepository } from '../testing/git-fixtures.js';
import { pushStageCommand } from '../testing/stage-command.js';

type StageEventData = {
  executionId: string;
  stageId: string;
  attempt: number;
  outputs?: Record<string, unknown>;
  error?: { code?: string; message: string };
};

/** The builder as a service on real NATS and PostgreSQL, driven by stage commands like the orchestrator's. */
describe('builder service end to end', () => {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bld')}_`;
  const work = mkdtempSync(join(tmpdir(), 'aviary-builder-e2e-'));
  const repo = new TestRepository();
  let natsUrl: string;
  let databaseUrl: string;
  let builder: RunningService;
  let client: Bus;
  let events: Feed<StreamedEvent>;
  const seen: Array<{ type: string; data: StageEventData }> = [];
  let sha: string;
  let registry: TestRegistry;
  let base: string;

  beforeAll(async () => {
    natsUrl = await natsUrlForTests();
    databaseUrl = await databaseUrlForTests();
    registry = await startRegistry();
    base = pushNodeBaseImage(registry.host);
    sha = repo.commit(
      {
        '.aviary/pipeline.yaml': 'preset: node-service\nname: app\n',
        'README.md': '# app\n',
        'package.json': '{"name":"app","version":"1.0.0","main":"server.js"}\n',
        'server.js': "console.log('app ' + process.env.APP_MODE);\n",
      },
      'add the pipeline',
    );
    builder = await startService(builderService, {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        NATS_URL: natsUrl,
        DATABASE_URL: databaseUrl,
        AVIARY_SUBJECT_ROOT: names.subjectRoot,
        AVIARY_STREAM_PREFIX: names.streamPrefix,
        AVIARY_SCHEMA_PREFIX: schemaPrefix,
        PORT: '0',
        LOG_LEVEL: 'silent',
        LOG_FORMAT: 'json',
        AVIARY_ACK_WAIT_MS: '3000',
        BUILDER_WORK_DIR: work,
        BUILDER_HEARTBEAT_MS: '200',
        BUILDER_KILL_GRACE_MS: '1000',
        BUILDER_LOG_FLUSH_MS: '100',
        BUILDER_LOG_LINES_PER_SECOND: '500',
        BUILDER_STEP_SECRETS: JSON.stringify({ DEPLOY_KEY: 'k3y-from-the-builder' }),
      },
    });
    client = createJetStreamBus({
      service: 'orchestrator-stand-in',
      servers: natsUrl,
      ...names,
      logger: pino({ level: 'silent' }),
    });
    await eventually(async () => expect((await fetch(`${builder.url}/health`)).status).toBe(200), 30_000, 50);
    events = await client.client.subscribeEvents('aviary.evt.stage.builder.>');
    void (async () => {
      for await (const { envelope } of events)
        seen.push({ type: envelope.type, data: envelope.data as StageEventData });
    })();
  }, 60_000);

  afterAll(async () => {
    events?.close();
    await builder?.close();
    await client?.close();
    await registry?.stop();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}builder`).catch(() => undefined);
    repo.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  function command(
    executionId: string,
    stageId: string,
    stageType: string,
    settings: Record<string, unknown>,
    deadlineMs = 60_000,
  ): StageCommandData {
    return pushStageCommand({
      repository: repo.url,
      sha,
      executionId,
      stageId,
      stageType,
      settings,
      actor: 'dev',
      deadlineMs,
    });
  }

  function resultOf(executionId: string, stageId: string) {
    return eventually(
      () => {
        const result = seen.find(
          (e) =>
            e.data.executionId === executionId &&
            e.data.stageId === stageId &&
            /\.(completed|failed)\.v1$/.test(e.type),
        );
        if (!result) throw new Error(`no result yet for ${executionId}/${stageId}`);
        return { outcome: result.type.includes('completed') ? 'completed' : 'failed', ...result.data };
      },
      60_000,
      50,
    );
  }

  async function checkout(executionId: string): Promise<void> {
    await client.client.publish(
      StageCommands.builder.checkout,
      command(executionId, 'checkout', 'checkout', { ref: sha }),
    );
    expect((await resultOf(executionId, 'checkout')).outcome).toBe('completed');
  }

  it("answers the orchestrator's read of .aviary/pipeline.yaml, and says what is wrong when it cannot", async () => {
    const query = (data: Partial<DataOf<typeof ReadRepositoryFile>>) =>
      client.client.query(
        ReadRepositoryFile,
        { application: 'app', repository: repo.url, sha, path: '.aviary/pipeline.yaml', ...data },
        { timeoutMs: 20_000 },
      );
    expect(await query({})).toEqual({ found: true, content: 'preset: node-service\nname: app\n', size: 31 });
    expect(await query({ path: 'nope.yaml' })).toEqual({
      found: false,
      reason: `nope.yaml does not exist at ${sha}`,
    });
    const missing = await query({ repository: `file://${work}/absent.git` });
    expect(missing).toMatchObject({ found: false, reason: expect.stringContaining('repository not found') });
  });

  it('answers the quality service’s diff: the lines added or changed between two commits, per file', async () => {
    const other = new TestRepository();
    try {
      const lines = (n: number, tag = '') =>
        Array.from({ length: n }, (_, i) => `line ${i + 1}${tag}`).join('\n') + '\n';
      const base = other.commit({ 'src/a.js': lines(10), 'src/gone.js': 'x\n', 'old/name.js': lines(30) });
      other.commit({ 'src/a.js': lines(10).replace('line 4\n', 'line 4 changed\nline 4b\n') });
      const head = other.commit({
        'src/new.js': lines(3),
        'src/a.js': lines(10).replace('line 4\n', 'line 4 changed\nline 4b\n') + 'tail\n',
      });
      const reply = await client.client.query(
        GetChangedLines,
        { application: 'app', repository: other.url, base, head },
        { timeoutMs: 20_000 },
      );
      expect(reply).toEqual({
        found: true,
        truncated: false,
        files: [
          {
            path: 'src/a.js',
            ranges: [
              [4, 5],
              [12, 12],
            ],
          },
          { path: 'src/new.js', ranges: [[1, 3]] },
        ],
      });
      const unknown = await client.client.query(
        GetChangedLines,
        { application: 'app', repository: other.url, base: 'f'.repeat(40), head },
        { timeoutMs: 20_000 },
      );
      expect(unknown).toMatchObject({ found: false });
    } finally {
      other.dispose();
    }
  });

  it('checks out the pushed commit, reporting started then completed with the commit outputs', async () => {
    const executionId = `e-${randomUUID()}`;
    await client.client.publish(
      StageCommands.builder.checkout,
      command(executionId, 'checkout', 'checkout', { ref: sha }),
    );
    const result = await resultOf(executionId, 'checkout');
    expect(result).toMatchObject({
      outcome: 'completed',
      outputs: { sha, branch: 'main', commitMessage: 'add the pipeline', author: 'Dev <dev@example.com>' },
    });
    expect(
      seen.some((e) => e.type.endsWith('stage.builder.started.v1') && e.data.executionId === executionId),
    ).toBe(true);
  });

  it('runs a step: outputs, kept reports, a masked log streamed live in batches and stored in full', async () => {
    const executionId = `e-${randomUUID()}`;
    await checkout(executionId);
    const live: LogLine[] = [];
    const feed = await client.client.subscribeLogs(executionId, 'test');
    void (async () => {
      for await (const line of feed) live.push(line);
    })();
    const script = [
      'echo "token is $API_TOKEN and key is $DEPLOY_KEY"',
      'i=0; while [ $i -lt 3000 ]; do echo "chatty line $i"; i=$((i+1)); done',
      'mkdir -p coverage && printf "SF:src/app.js\\nLH:9\\nLF:10\\nend_of_record\\n" > coverage/lcov.info',
      'echo "version=1.2.3" >> "$AVIARY_OUTPUT"',
    ].join('\n');
    await client.client.publish(
      StageCommands.builder.run,
      command(executionId, 'test', 'run', {
        command: script,
        env: { API_TOKEN: 'sekrit-token-value' },
        outputs: ['version'],
        reports: { coverage: 'coverage/lcov.info' },
      }),
    );
    const result = await resultOf(executionId, 'test');
    expect(result).toMatchObject({ outcome: 'completed', outputs: { exitCode: 0, version: '1.2.3' } });
    const coverage = String(result.outputs!['coverageReport']);
    expect(coverage).toBe(`artifact://${executionId}/test/1/coverage/lcov.info`);
    const report = await client.client.objects(ARTIFACTS_BUCKET).get(artifactObjectName(coverage)!);
    expect(Buffer.from(report!).toString()).toContain('LH:9');

    // Live: every line arrived, the chatty part in far fewer messages than lines.
    await eventually(
      () => expect(live.some((line) => line.text.includes('chatty line 2999'))).toBe(true),
      10_000,
    );
    feed.close();
    const liveText = live.map((line) => line.text).join('\n');
    expect(liveText).toContain('token is **** and key is ****');
    expect(liveText).not.toContain('sekrit-token-value');
    expect(live.length).toBeLessThan(3000);

    // Stored: read back in pages, complete, every line once, masked.
    const stored: LogLine[] = [];
    let cursor: string | undefined;
    let complete: boolean;
    do {
      const page = await client.client.query(GetStageLogs, {
        executionId,
        stageId: 'test',
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      stored.push(...page.lines);
      cursor = page.nextCursor;
      complete = page.complete;
    } while (cursor);
    expect(complete).toBe(true);
    expect(stored.map((line) => line.seq)).toEqual(stored.map((_, i) => i));
    expect(stored.filter((line) => line.text.startsWith('chatty line'))).toHaveLength(3000);
    expect(stored.find((line) => line.stream === 'stdout')?.text).toBe('token is **** and key is ****');
    expect(stored.at(-1)).toMatchObject({ stream: 'system', text: expect.stringMatching(/^succeeded in /) });
  }, 90_000);

  it('fails a step that exits non-zero with its exit code, and runs an attempt once however often its command comes', async () => {
    const executionId = `e-${randomUUID()}`;
    await checkout(executionId);
    const failing = command(executionId, 'lint', 'run', { command: 'echo "1 problem" >&2; exit 2' });
    await client.client.publish(StageCommands.builder.run, failing);
    expect(await resultOf(executionId, 'lint')).toMatchObject({
      outcome: 'failed',
      outputs: { exitCode: 2 },
      // A retry may pass (flaky tests): the stage's retries, if any, run it again.
      error: { code: 'exit-code', message: 'the command exited with code 2', retryable: true },
    });
    // The same attempt again (a redelivery, or the outbox relaying twice), then another stage.
    await client.client.publish(StageCommands.builder.run, failing);
    await client.client.publish(
      StageCommands.builder.run,
      command(executionId, 'after', 'run', { command: 'true' }),
    );
    await resultOf(executionId, 'after');
    const results = seen.filter(
      (e) =>
        e.data.executionId === executionId &&
        e.data.stageId === 'lint' &&
        /\.(completed|failed)\.v1$/.test(e.type),
    );
    expect(seen.filter((e) => e.data.stageId === 'lint' && e.type.endsWith('started.v1'))).toHaveLength(1);
    expect(results).toHaveLength(1);
  }, 60_000);

  it('cancels a running step (the cancel says which) and times out one past its deadline', async () => {
    const executionId = `e-${randomUUID()}`;
    await checkout(executionId);
    await client.client.publish(
      StageCommands.builder.run,
      command(executionId, 'slow', 'run', { command: 'echo started; sleep 300' }),
    );
    await eventually(async () => {
      const page = await client.client.query(GetStageLogs, { executionId, stageId: 'slow', limit: 100 });
      expect(page.lines.map((line) => line.text)).toContain('started');
    }, 20_000);
    await client.client.publish(StageCommands.builder.cancel, {
      executionId,
      stageId: 'slow',
      attempt: 1,
      reason: 'cancelled by alice',
    });
    expect(await resultOf(executionId, 'slow')).toMatchObject({
      outcome: 'failed',
      error: { code: 'cancelled', message: expect.stringContaining('cancelled: cancelled by alice') },
    });

    await client.client.publish(
      StageCommands.builder.run,
      command(executionId, 'late', 'run', { command: 'sleep 300' }, 1500),
    );
    expect(await resultOf(executionId, 'late')).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: expect.stringContaining('timed out after'), retryable: true },
    });
  }, 60_000);

  it('without a registry, packs the build as a content-addressed artifact with the image outputs, started as the image is', async () => {
    const executionId = `e-${randomUUID()}`;
    await checkout(executionId);
    await client.client.publish(
      StageCommands.builder['build-image'],
      command(executionId, 'build', 'build-image', { repository: 'app', tag: sha }),
    );
    const result = await resultOf(executionId, 'build');
    expect(result).toMatchObject({ outcome: 'completed', outputs: { tag: sha } });
    const url = String(result.outputs!['imageUrl']);
    expect(url).toMatch(/^artifact:\/\/sha256:[0-9a-f]{64}$/);
    expect(result.outputs!['imageDigest']).toBe(artifactObjectName(url));
    const stored = await client.client.objects(ARTIFACTS_BUCKET).info(artifactObjectName(url)!);
    expect(stored?.digest).toBe(result.outputs!['imageDigest']);
    // Not `npm start`: the image's entrypoint, node and package.json's main.
    const objects = client.client.objects(ARTIFACTS_BUCKET);
    const manifest = PackageManifest.parse(
      JSON.parse(Buffer.from((await objects.get(artifactObjectName(url)!))!).toString('utf8')),
    );
    expect(manifest).toMatchObject({ entrypoint: ['node', 'server.js'], tag: sha, workdir: '/app' });
    // Its layers: the dependencies (package.json), then the source (server.js), under /app.
    const files = await Promise.all(
      manifest.layers.map(async (layer) => tarNames(gunzipSync((await objects.get(layer.digest))!))),
    );
    expect(files).toEqual([
      expect.arrayContaining(['app/package.json']),
      expect.arrayContaining(['app/server.js']),
    ]);
  }, 60_000);

  it("builds and pushes to a registry, daemonless or with the team's own command, with the image outputs", async () => {
    const executionId = `e-${randomUUID()}`;
    await checkout(executionId);
    await client.client.publish(
      StageCommands.builder['build-image'],
      command(executionId, 'build', 'build-image', {
        repository: `${registry.host}/team/app`,
        tag: sha,
        baseImage: base,
        env: { APP_MODE: 'production' },
      }),
    );
    const built = await resultOf(executionId, 'build');
    expect(built).toMatchObject({ outcome: 'completed', outputs: { tag: sha } });
    const digest = skopeoInspect(`${registry.host}/team/app:${sha}`)['Digest'];
    expect(built.outputs).toEqual({
      imageUrl: `${registry.host}/team/app:${sha}@${String(digest)}`,
      imageDigest: digest,
      tag: sha,
    });

    // Command mode: whatever the team runs (here skopeo standing in for docker, buildah or kaniko) pushes $IMAGE.
    await client.client.publish(
      StageCommands.builder['build-image'],
      command(executionId, 'build-cmd', 'build-image', {
        repository: `${registry.host}/team/app-cmd`,
        tag: sha,
        command: `echo "building $IMAGE from $CONTEXT"; skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false docker://${base} docker://$IMAGE`,
      }),
    );
    const pushed = await resultOf(executionId, 'build-cmd');
    const cmdDigest = skopeoInspect(`${registry.host}/team/app-cmd:${sha}`)['Digest'];
    expect(pushed).toMatchObject({
      outcome: 'completed',
      outputs: {
        imageUrl: `${registry.host}/team/app-cmd:${sha}@${String(cmdDigest)}`,
        imageDigest: cmdDigest,
        tag: sha,
      },
    });
    const log = await client.client.query(GetStageLogs, { executionId, stageId: 'build-cmd', limit: 100 });
    expect(log.lines.map((line) => line.text)).toContain(
      `building ${registry.host}/team/app-cmd:${sha} from ${work}/workspaces/${executionId}`,
    );
  }, 120_000);
});

/** The text of one file of a tar archive. */
async function tarNames(tar: Buffer): Promise<string[]> {
  const entries = extract();
  Readable.from([tar]).pipe(entries);
  const names: string[] = [];
  for await (const entry of entries) {
    names.push(entry.header.name);
    entry.resume();
  }
  return names;
}
