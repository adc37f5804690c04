import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Database, persistenceMigrations } from '@aviary/persistence';
import { databaseUrlForTests, dropSchema, uniqueSchemaName } from '@aviary/test-support';
import { randomUUID } from 'node:crypto';
import { ExecutionRun } from '../engine/execution-run.js';
import { SpecLanguage } from '../pipelines/spec-language.js';
import { pipeline, sequence } from '../testing/pipelines.js';
import { orchestratorEntities } from './entities.js';
import { ExecutionStore } from './execution-store.js';
import { orchestratorMigrations } from './migrations.js';

const trigger = {
  kind: 'push' as const,
  provider: 'github' as const,
  repository: 'https://github.com/acme/orders',
  ref: 'refs/heads/main',
  branch: 'main',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
};

describe('the execution store on PostgreSQL', () => {
  let url: string;
  let schema: string;
  let db: Database;
  let store: ExecutionStore;

  beforeAll(async () => {
    url = await databaseUrlForTests();
    schema = uniqueSchemaName('orch_store');
    db = new Database({
      target: { kind: 'postgres', url },
      schema,
      entities: orchestratorEntities,
      migrations: [...persistenceMigrations, ...orchestratorMigrations],
    });
    db.start();
    await db.ready(20_000);
    store = new ExecutionStore(schema, 'test-replica');
  });

  afterAll(async () => {
    await db.close();
    await dropSchema(url, schema);
  });

  async function created(): Promise<string> {
    const id = randomUUID();
    await db.transaction(async (manager) => {
      await store.create(manager, {
        id,
        application: 'orders',
        trigger,
        triggerKey: `test:${id}`,
        concurrencyGroup: 'orders:refs/heads/main',
        createdAt: new Date(),
      });
      await store.setPipeline(manager, (await store.lock(manager, id))!, pipeline(sequence(['a', 'b'])));
      // What reading the pipeline does with its timer.
      await manager.query(`delete from "${schema}".timers where execution_id = $1`, [id]);
    });
    return id;
  }

  it('creates one execution per trigger', async () => {
    const id = await created();
    const again = await db.transaction((manager) =>
      store.create(manager, {
        id: randomUUID(),
        application: 'orders',
        trigger,
        triggerKey: `test:${id}`,
        concurrencyGroup: 'orders:refs/heads/main',
        createdAt: new Date(),
      }),
    );
    expect(again).toBe(false);
  });

  it('reads the stages as they are once the lock is granted, not as they were while it waited', async () => {
    const id = await created();
    const first = db.dataSource.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    const held = (await store.lock(first.manager, id))!;
    const run = new ExecutionRun(held.state, new SpecLanguage(), new Date());
    run.start();
    await store.apply(first.manager, held, run.changes, { now: new Date(), watchdogGraceMs: 1_000 });

    const waiting = db.transaction((manager) => store.lock(manager, id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.commitTransaction();
    await first.release();

    const fresh = (await waiting)!;
    expect(fresh.version).toBe(held.version + 1);
    expect(fresh.state.status).toBe('RUNNING');
    expect(fresh.state.stages.get('a')).toMatchObject({
      status: 'RUNNING',
      attempt: 1,
      waitingFor: 'worker',
    });
  });

  it('writes a step with its history, attempts, timers and messages, and refuses a stale version', async () => {
    const id = await created();
    await db.transaction(async (manager) => {
      const locked = (await store.lock(manager, id))!;
      const run = new ExecutionRun(locked.state, new SpecLanguage(), new Date());
      run.start();
      await store.apply(manager, locked, run.changes, { now: new Date(), watchdogGraceMs: 1_000 });
    });
    const rows = async (table: string) =>
      db.dataSource.query<Record<string, unknown>[]>(
        `select * from "${schema}".${table} where ${table === 'outbox' ? `envelope->>'correlationid'` : 'execution_id'} = $1`,
        [id],
      );
    expect((await rows('stage_attempts')).map((r) => [r['stage_id'], r['attempt'], r['status']])).toEqual([
      ['a', 1, 'RUNNING'],
    ]);
    expect((await rows('timers')).map((r) => r['kind']).sort()).toEqual([
      'execution-timeout',
      'stage-timeout',
    ]);
    expect((await rows('outbox')).map((r) => r['subject'])).toEqual([
      'aviary.cmd.builder.run.v1',
      'aviary.evt.execution.started.v1',
      'aviary.evt.execution.stage-changed.v1',
    ]);
    expect((await rows('execution_history')).map((r) => [r['action'], r['version'], r['replica']])).toEqual([
      ['created', 0, 'test-replica'],
      ['execution', 1, 'test-replica'],
      ['stage', 1, 'test-replica'],
    ]);
    await expect(
      db.transaction(async (manager) => {
        const locked = (await store.lock(manager, id))!;
        const run = new ExecutionRun(locked.state, new SpecLanguage(), new Date());
        run.cancel(undefined);
        await store.apply(manager, { ...locked, version: locked.version - 1 }, run.changes, {
          now: new Date(),
          watchdogGraceMs: 1_000,
        });
      }),
    ).rejects.toThrow(`execution ${id} changed after version 0 was read`);
    const [execution] = await db.dataSource.query<{ status: string; version: number }[]>(
      `select status, version from "${schema}".executions where id = $1`,
      [id],
    );
    expect(execution).toEqual({ status: 'RUNNING', version: 1 });
  });
});
