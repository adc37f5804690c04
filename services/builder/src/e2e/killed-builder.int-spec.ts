import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StageCommands } from '@aviary/events';
import { createJetStreamBus, type Bus, type Feed, type StreamedEvent } from '@aviary/messaging';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  freePort,
  natsUrlForTests,
  ServiceProcess,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { pino } from 'pino';
import { TestRepository } from '../testing/git-fixtures.js';
import { pushStageCommand } from '../testing/stage-command.js';

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MAIN = join(root, 'services', 'builder', 'dist', 'main.js');

/**
 * A builder process killed with SIGKILL in the middle of a step (no hand-back), and another one
 * that gets the step's command again: the attempt is neither lost nor run a second time.
 */
describe('a builder killed in the middle of a step', () => {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bldk')}_`;
  const work = mkdtempSync(join(tmpdir(), 'aviary-builder-killed-'));
  const repo = new TestRepository();
  const processes: ServiceProcess[] = [];
  let natsUrl: string;
  let databaseUrl: string;
  let client: Bus;
  let events: Feed<StreamedEvent>;
  const seen: StreamedEvent[] = [];

  async function builder(replica: number): Promise<ServiceProcess> {
    const port = await freePort();
    const started = new ServiceProcess('builder', replica, port, MAIN, {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? tmpdir(),
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      BUILDER_PORT: String(port),
      LOG_FORMAT: 'json',
      // The command comes back a second after the builder dies, long before its last heartbeat
      // (every 3 s) is old enough (15 s) to say it died.
      AVIARY_ACK_WAIT_MS: '1000',
      BUILDER_HEARTBEAT_MS: '3000',
      BUILDER_WORK_DIR: work,
    });
    processes.push(started);
    started.start();
    await started.ready(90_000);
    return started;
  }

  beforeAll(async () => {
    execFileSync('npx', ['nx', 'run', '@aviary/builder:build', '--output-style=static'], {
      cwd: root,
      stdio: 'pipe',
      timeout: 240_000,
    });
    natsUrl = await natsUrlForTests();
    databaseUrl = await databaseUrlForTests();
    client = createJetStreamBus({
      service: 'orchestrator-stand-in',
      servers: natsUrl,
      ...names,
      logger: pino({ level: 'silent' }),
    });
    events = await client.client.subscribeEvents('aviary.evt.stage.builder.>');
    void (async () => {
      for await (const event of events) seen.push(event);
    })();
  }, 300_000);

  afterAll(async () => {
    events?.close();
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await client?.close();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}builder`).catch(() => undefined);
    repo.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('kills its step, and fails the attempt once as worker-lost without running the step again', async () => {
    const sha = repo.commit({ 'README.md': '# app\n' }, 'first');
    const journal = join(work, 'journal');
    const pidFile = join(work, 'step.pid');
    const executionId = `e-${randomUUID()}`;
    const command = pushStageCommand({
      repository: repo.url,
      sha,
      executionId,
      stageId: 'long',
      settings: { command: `echo $$ > ${pidFile}; echo ran >> ${journal}; sleep 30` },
      deadlineMs: 120_000,
    });
    const first = await builder(0);
    await client.client.publish(StageCommands.builder.run, command);
    await eventually(() => expect(existsSync(journal)).toBe(true), 30_000, 50);
    const step = Number(readFileSync(pidFile, 'utf8').trim());
    expect(alive(step)).toBe(true);
    await first.kill('SIGKILL');
    // The step dies with its builder: nothing of the attempt runs on while another builder decides.
    await eventually(() => expect(alive(step)).toBe(false), 5_000, 50);
    await builder(1);

    const results = () =>
      seen.filter(
        (e) =>
          (e.envelope.data as { executionId: string }).executionId === executionId &&
          /\.(completed|failed)\.v1$/.test(e.subject),
      );
    const [result] = await eventually(
      () => {
        expect(results()).toHaveLength(1);
        return results();
      },
      60_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${processes.map((p) => `${p.id}:\n${p.tail(3_000)}`).join('\n')}`, {
        cause: error,
      });
    });
    expect(result!.subject).toContain('.failed.');
    expect((result!.envelope.data as { error: { code: string; retryable: boolean } }).error).toMatchObject({
      code: 'worker-lost',
      retryable: true,
    });
    // The step ran once (the killed builder's), and nothing runs it again later.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(readFileSync(journal, 'utf8')).toBe('ran\n');
    expect(results()).toHaveLength(1);
  }, 180_000);
});
