import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseUrlForTests, dropSchema, uniqueSchemaName } from '@aviary/test-support';
import { buildEnvelope, defineEvent } from '@aviary/events';
import { z } from 'zod';
import { pino } from 'pino';
import { Database, DatabaseUnavailableError, type DatabaseOptions } from './database.js';
import { enqueue, enqueueMessage, enqueueMessages } from './outbox/enqueue.js';
import { OutboxEntry } from './outbox/outbox-entry.entity.js';
import { handleOnce } from './outbox/handle-once.js';
import { outboxMigrations } from './outbox/outbox.migrations.js';
import { TcpProxy } from '@aviary/test-support';
import { SlowCountingMigration, Widget, WidgetMigration } from './testing/widget.js';

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Database on PostgreSQL', () => {
  let url: string;
  const schemas: string[] = [];
  const databases: Database[] = [];
  const proxies: TcpProxy[] = [];

  function open(overrides: Partial<DatabaseOptions> & { schema: string }): Database {
    const db = new Database({
      target: { kind: 'postgres', url },
      entities: [Widget],
      migrations: [...outboxMigrations, WidgetMigration],
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
      ...overrides,
    });
    databases.push(db);
    return db;
  }

  function schema(): string {
    const name = uniqueSchemaName('persistence_db');
    schemas.push(name);
    return name;
  }

  beforeAll(async () => {
    url = await databaseUrlForTests();
  });

  afterEach(async () => {
    await Promise.all(databases.splice(0).map((db) => db.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(schemas.splice(0).map((name) => dropSchema(url, name)));
  });

  it('creates its schema, runs the migrations there once, and runs nothing on the next start', async () => {
    const name = schema();
    const first = open({ schema: name });
    first.start();
    await first.ready(10_000);
    const applied = await first.dataSource.query<{ name: string }[]>(
      `select name from "${name}".migrations order by id`,
    );
    expect(applied.map((row) => row.name)).toEqual([
      'AviaryOutbox1790000000000',
      'AviaryInbox1790000000001',
      'Widget1790000000100',
    ]);
    const saved = await first.dataSource.getRepository(Widget).save({ name: 'w' });
    expect(saved.id).toMatch(/^[0-9a-f-]{36}$/);
    await first.close();

    const second = open({ schema: name });
    second.start();
    await second.ready(10_000);
    expect(await second.dataSource.getRepository(Widget).count()).toBe(1);
    const again = await second.dataSource.query<unknown[]>(`select 1 from "${name}".migrations`);
    expect(again).toHaveLength(3);
  });

  it('lets two replicas start at once: each migration runs once and both become ready', async () => {
    const name = schema();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const replicas = [1, 2].map(() =>
      open({ schema: name, migrations: [...outboxMigrations, SlowCountingMigration], logger }),
    );
    for (const replica of replicas) replica.start();
    await Promise.all(replicas.map((replica) => replica.ready(15_000)));
    const runs = await replicas[0]!.dataSource.query<unknown[]>(`select * from "${name}".migration_runs`);
    expect(runs).toHaveLength(1);
    // Without the lock one replica would fail on the other's half-made schema, and only get there by retrying.
    expect(warnings).toEqual([]);
    for (const replica of replicas)
      await expect(replica.health()).resolves.toEqual({ ready: true, detail: 'ok' });
  });

  it('declares entities that match their migrations, so a drift check finds nothing to change', async () => {
    const db = open({ schema: schema(), entities: [] });
    db.start();
    await db.ready(10_000);
    const drift = await db.dataSource.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('is not ready while the server is unreachable, and becomes ready when it answers, without a restart', async () => {
    const proxy = new TcpProxy(
      { host: new URL(url).hostname, port: Number(new URL(url).port || 5432) },
      await TcpProxy.freePort(),
    );
    proxies.push(proxy);
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const db = open({ schema: schema(), target: { kind: 'postgres', url: through.toString() } });

    db.start();
    await expect(db.ready(300)).rejects.toThrow(/not ready after 300 ms: .*ECONNREFUSED/);
    expect(() => db.dataSource).toThrow(DatabaseUnavailableError);
    const down = await db.health();
    expect(down.ready).toBe(false);
    expect(down.detail).toMatch(/ECONNREFUSED/);

    await proxy.open();
    await db.ready(10_000);
    await expect(db.health()).resolves.toEqual({ ready: true, detail: 'ok' });

    await proxy.close();
    const lost = await db.health();
    expect(lost.ready).toBe(false);
    expect(lost.detail).toMatch(/^select 1 failed/);

    await proxy.open();
    await eventually(async () => (await db.health()).ready);
    expect(await db.dataSource.getRepository(Widget).count()).toBe(0);
  });

  it('refuses to be used before start, and reports why it is not ready yet', async () => {
    const db = open({ schema: schema() });
    await expect(db.ready()).rejects.toThrow('start() has not been called');
    expect(() => db.dataSource).toThrow(
      /\(schema "persistence_db_\w+"\) is not ready \(start\(\) has not been called\)/,
    );
    expect(
      () =>
        new Database({ target: { kind: 'postgres', url }, schema: 'Bad-Name', entities: [], migrations: [] }),
    ).toThrow('invalid schema name');
  });

  describe('handleOnce and enqueue', () => {
    let db: Database;

    async function started(): Promise<Database> {
      db = open({ schema: schema() });
      db.start();
      await db.ready(10_000);
      return db;
    }

    it('handleOnce is true the first time only, and forgets a handling whose transaction rolled back', async () => {
      await started();
      await expect(db.transaction((m) => handleOnce(m, 'builder', 'msg-1'))).resolves.toBe(true);
      await expect(db.transaction((m) => handleOnce(m, 'builder', 'msg-1'))).resolves.toBe(false);
      await expect(db.transaction((m) => handleOnce(m, 'notifier', 'msg-1'))).resolves.toBe(true);

      await expect(
        db.transaction(async (m) => {
          expect(await handleOnce(m, 'builder', 'msg-2')).toBe(true);
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
      await expect(db.transaction((m) => handleOnce(m, 'builder', 'msg-2'))).resolves.toBe(true);
    });

    it('handleOnce makes a concurrent second handling of the same message wait, then answer false', async () => {
      await started();
      let releaseFirst: () => void = () => undefined;
      const firstInside = new Promise<void>((resolve) => {
        const first = db.transaction(async (m) => {
          const handled = await handleOnce(m, 'deployer', 'msg-3');
          resolve();
          await new Promise<void>((release) => (releaseFirst = release));
          return handled;
        });
        void first.then((handled) => expect(handled).toBe(true));
      });
      await firstInside;
      const second = db.transaction((m) => handleOnce(m, 'deployer', 'msg-3'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      releaseFirst();
      await expect(second).resolves.toBe(false);
    });

    it('both refuse to run outside a transaction, where they would not be atomic with the handler', async () => {
      await started();
      const envelope = buildEnvelope('dev.test', {}, { source: 'test' });
      await expect(handleOnce(db.dataSource.manager, 'builder', 'msg-4')).rejects.toThrow(
        'inside the caller',
      );
      await expect(enqueue(db.dataSource.manager, 'test.subject', envelope)).rejects.toThrow(
        'inside the caller',
      );
    });

    it('enqueueMessage takes the subject from the contract and validates the data before writing', async () => {
      await started();
      const WidgetMade = defineEvent({
        path: 'test.widget-made',
        description: 'a widget was made',
        schema: z.object({ name: z.string().min(1) }),
      });
      const envelope = await db.transaction((m) =>
        enqueueMessage(m, WidgetMade, { name: 'w' }, { source: 'test', correlationid: 'exec-1' }),
      );
      const row = await db.dataSource.getRepository(OutboxEntry).findOneByOrFail({ envelopeId: envelope.id });
      expect(row).toMatchObject({
        subject: WidgetMade.subject,
        envelope: { type: WidgetMade.type, data: { name: 'w' } },
      });
      await expect(
        db.transaction((m) => enqueueMessage(m, WidgetMade, { name: '' }, { source: 'test' })),
      ).rejects.toThrow();
      expect(await db.dataSource.getRepository(OutboxEntry).count()).toBe(1);
    });

    it('enqueueMessages writes several messages in one statement, in the order given, once each', async () => {
      await started();
      const WidgetMade = defineEvent({
        path: 'test.widget-made',
        description: 'a widget was made',
        schema: z.object({ name: z.string().min(1) }),
      });
      const made = (name: string, id?: string) => ({
        contract: WidgetMade,
        data: { name },
        meta: { source: 'test', ...(id ? { id } : {}) },
      });
      const envelopes = await db.transaction((m) =>
        enqueueMessages(m, [made('c'), made('a', 'fixed-id'), made('b'), made('again', 'fixed-id')]),
      );
      const rows = await db.dataSource.getRepository(OutboxEntry).find({ order: { id: 'ASC' } });
      expect(rows.map((row) => (row.envelope.data as { name: string }).name)).toEqual(['c', 'a', 'b']);
      expect(rows.map((row) => row.envelopeId)).toEqual(envelopes.slice(0, 3).map((e) => e.id));
      await expect(db.transaction((m) => enqueueMessages(m, [made('fine'), made('')]))).rejects.toThrow();
      expect(await db.dataSource.getRepository(OutboxEntry).count()).toBe(3);
      await expect(enqueueMessages(db.dataSource.manager, [made('x')])).rejects.toThrow('inside the caller');
    });

    it('enqueue rejects a malformed envelope, failing the whole transaction', async () => {
      await started();
      const broken = { ...buildEnvelope('dev.test', {}, { source: 'test' }), specversion: '0.3' };
      await expect(
        db.transaction(async (m) => {
          await m.getRepository(Widget).save({ name: 'not kept' });
          await enqueue(m, 'test.subject', broken as never);
        }),
      ).rejects.toThrow();
      expect(await db.dataSource.getRepository(Widget).count()).toBe(0);
    });
  });
});
