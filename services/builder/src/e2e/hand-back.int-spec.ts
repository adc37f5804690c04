import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StageCommands, type StageCommandData } from '@aviary/events';
import { createJetStreamBus, type Bus, type Feed, type StreamedEvent } from '@aviary/messaging';
import { startService, type RunningService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { pino } from 'pino';
import { builderService } from '../service.js';
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

/** Two builder replicas sharing a work folder: one stops mid-step, the other finishes the attempt. */
describe('a builder that stops hands its running attempts back', () => {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bldh')}_`;
  const work = mkdtempSync(join(tmpdir(), 'aviary-builder-handback-'));
  const repo = new TestRepository();
  let natsUrl: string;
  let databaseUrl: string;
  let client: Bus;
  let events: Feed<StreamedEvent>;
  const seen: StreamedEvent[] = [];
  const replicas: RunningService[] = [];

  const start = async () => {
    const replica = await startService(builderService, {
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
        AVIARY_ACK_WAIT_MS: '3000',
        BUILDER_WORK_DIR: work,
        BUILDER_HEARTBEAT_MS: '200',
        BUILDER_KILL_GRACE_MS: '500',
      },
    });
    replicas.push(replica);
    await eventually(async () => expect((await fetch(`${replica.url}/health`)).status).toBe(200), 30_000, 50);
    return replica;
  };

  beforeAll(async () => {
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
  });
  afterAll(async () => {
    events?.close();
    for (const replica of replicas) await replica.close();
    await client?.close();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}builder`).catch(() => undefined);
    repo.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('kills the step on shutdown, publishes no result, and another replica runs the attempt to the end', async () => {
    const sha = repo.commit({ 'README.md': '# app\n' }, 'first');
    const first = await start();
    const executionId = `e-${randomUUID()}`;
    const command = (
      stageId: string,
      stageType: string,
      settings: Record<string, unknown>,
    ): StageCommandData =>
      pushStageCommand({
        repository: repo.url,
        sha,
        executionId,
        stageId,
        stageType,
        settings,
        deadlineMs: 120_000,
      });
    const result = (stageId: string) =>
      eventually(() => {
        const found = seen.find(
          (e) =>
            (e.envelope.data as { stageId: string }).stageId === stageId &&
            /\.(completed|failed)\.v1$/.test(e.subject),
        );
        if (!found) throw new Error(`no result for ${stageId}`);
        return found;
      }, 60_000);

    await client.client.publish(
      StageCommands.builder.checkout,
      command('checkout', 'checkout', { ref: sha }),
    );
    expect((await result('checkout')).subject).toContain('completed');

    // First run: note the pid and wait; the second run (after the hand-back) finishes at once.
    const pidFile = join(work, 'step.pid');
    const script = `if [ -f ${pidFile} ]; then echo "finished by the second replica"; else echo $$ > ${pidFile}; sleep 300; fi`;
    await client.client.publish(StageCommands.builder.run, command('long', 'run', { command: script }));
    await eventually(
      () => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().length > 0).toBe(true),
      20_000,
    );
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(alive(pid)).toBe(true);

    await first.close();
    expect(alive(pid)).toBe(false);
    expect(
      seen.filter(
        (e) =>
          (e.envelope.data as { stageId: string }).stageId === 'long' && /completed|failed/.test(e.subject),
      ),
    ).toEqual([]);

    await start();
    const finished = await result('long');
    expect(finished.subject).toContain('completed');
    expect((finished.envelope.data as { outputs: Record<string, unknown> }).outputs).toEqual({ exitCode: 0 });
  }, 120_000);
});
