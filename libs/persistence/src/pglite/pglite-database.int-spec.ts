import { jest, afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvelope, type Envelope } from '@aviary/events';
import { pino } from 'pino';
import { Database, type DatabaseOptions } from '../database.js';
import { enqueue } from '../outbox/enqueue.js';
import { handleOnce } from '../outbox/handle-once.js';
import { OutboxEntry } from '../outbox/outbox-entry.entity.js';
import { OutboxRelay, type EnvelopePublisher } from '../outbox/outbox-relay.js';
import { outboxMigrations } from '../outbox/outbox.migrations.js';
import { SlowCountingMigration, Widget, WidgetMigration } from '../testing/widget.js';
import { PGliteHost } from './pglite-host.js';

// PGlite compiles PostgreSQL's WASM at start: seconds alone, much longer on a busy 2-core machine.
jest.setTimeout(120_000);

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Database and outbox on PGlite', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function host(dataDir?: string): Promise<PGliteHost> {
    const started = await PGliteHost.start(dataDir === undefined ? { lockTimeoutMs: 2_000 } : { dataDir });
    cleanups.push(() => started.close());
    return started;
  }

  async function service(
    on: PGliteHost,
    schema: string,
    extra: Partial<DatabaseOptions> = {},
  ): Promise<Database> {
    const db = new Database({
      target: { kind: 'pglite', host: on },
      schema,
      entities: [Widget],
      migrations: [...outboxMigrations, WidgetMigration],
      ...extra,
    });
    cleanups.push(() => db.close());
    db.start();
    await db.ready(20_000);
    return db;
  }

  function relay(db: Database, publisher: EnvelopePublisher): OutboxRelay {
    const created = new OutboxRelay(db, publisher, { pollIntervalMs: 50, retryDelayMs: 20 });
    cleanups.push(() => created.stop());
    created.start();
    return created;
  }

  async function commitWidget(db: Database, n: number): Promise<Envelope> {
    const message = buildEnvelope('dev.aviary.test.thing-happened.v1', { n }, { source: 'pglite-test' });
    await db.transaction(async (manager) => {
      await manager.getRepository(Widget).save({ name: `widget ${n}` });
      await enqueue(manager, 'aviary.evt.test.thing', message);
    });
    return message;
  }

  it('runs the same migrations, the outbox and handleOnce in memory', async () => {
    const db = await service(await host(), 'orchestrator');
    const published: string[] = [];
    relay(db, { publishEnvelope: (_subject, envelope) => Promise.resolve(void published.push(envelope.id)) });
    const message = await commitWidget(db, 1);
    await eventually(() => published.length === 1);
    expect(published).toEqual([message.id]);
    expect((await db.dataSource.getRepository(Widget).findOneByOrFail({ name: 'widget 1' })).id).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    await expect(db.transaction((m) => handleOnce(m, 'orchestrator', message.id))).resolves.toBe(true);
    await expect(db.transaction((m) => handleOnce(m, 'orchestrator', message.id))).resolves.toBe(false);
    await expect(db.health()).resolves.toEqual({ ready: true, detail: 'ok' });
  });

  it('keeps the data in a dataDir across a close and a reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aviary-pglite-data-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const first = await PGliteHost.start({ dataDir });
    const before = new Database({
      target: { kind: 'pglite', host: first },
      schema: 'builder',
      entities: [Widget],
      migrations: [...outboxMigrations, WidgetMigration],
    });
    before.start();
    await before.ready(20_000);
    const message = await commitWidget(before, 1);
    await before.close();
    await first.close();

    const logLines: string[] = [];
    const after = await service(await host(dataDir), 'builder', {
      logger: pino({ level: 'info' }, { write: (line: string) => logLines.push(line) }),
    });
    expect(logLines.map((line) => JSON.parse(line) as { migrations?: string[] }).at(-1)?.migrations).toEqual(
      [],
    );
    expect(await after.dataSource.getRepository(Widget).count()).toBe(1);
    const row = await after.dataSource.getRepository(OutboxEntry).findOneByOrFail({ envelopeId: message.id });
    expect(row.sentAt).toBeNull();
  });

  it('says why it cannot create the database in a dataDir', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'aviary-pglite-data-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const notADirectory = join(parent, 'a-file');
    await writeFile(notADirectory, 'not a directory\n');
    await expect(PGliteHost.start({ dataDir: join(notADirectory, 'data') })).rejects.toThrow(
      `could not create the database in ${join(notADirectory, 'data')}: `,
    );
  });

  it('serves several services at once, and a relay publishing into another service does not deadlock', async () => {
    const shared = await host();
    const [orchestrator, builder] = await Promise.all([
      service(shared, 'orchestrator'),
      service(shared, 'builder'),
    ]);
    // As the in-process transport does: the publish runs the consumer's handler, with its own
    // transaction, before it returns.
    const delivered: string[] = [];
    relay(orchestrator, {
      publishEnvelope: async (_subject, envelope) => {
        await builder.transaction(async (manager) => {
          if (await handleOnce(manager, 'builder', envelope.id)) {
            await manager.getRepository(Widget).save({ name: `built ${envelope.id}` });
            delivered.push(envelope.id);
          }
        });
      },
    });
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, n) => commitWidget(n % 2 ? orchestrator : builder, n)),
    );
    const fromOrchestrator = sent.filter((_, n) => n % 2 === 1).map((message) => message.id);
    await eventually(() => delivered.length === fromOrchestrator.length);
    expect(delivered.sort()).toEqual([...fromOrchestrator].sort());
  });

  it('lets two replicas migrate the same schema at once: once, and both ready', async () => {
    const shared = await host();
    const replicas = await Promise.all(
      [1, 2].map(() =>
        service(shared, 'quality', { migrations: [...outboxMigrations, SlowCountingMigration] }),
      ),
    );
    const runs = await replicas[0]!.dataSource.query<unknown[]>('select * from quality.migration_runs');
    expect(runs).toHaveLength(1);
  });
});
