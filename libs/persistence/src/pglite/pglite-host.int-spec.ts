import { jest, afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PGliteHost } from './pglite-host.js';

// PGlite compiles PostgreSQL's WASM at start: seconds alone, much longer on a busy 2-core machine.
jest.setTimeout(120_000);

describe('PGliteHost wire front', () => {
  let host: PGliteHost;
  const pools: pg.Pool[] = [];

  function pool(max = 4): pg.Pool {
    const created = new pg.Pool({ ...host.connection, max });
    pools.push(created);
    return created;
  }

  beforeAll(async () => {
    host = await PGliteHost.start({ lockTimeoutMs: 500 });
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await host.close();
  });

  it('keeps concurrent extended-protocol exchanges apart, even when messages span several reads', async () => {
    const [a, b, c] = [pool(), pool(), pool()];
    const big = 'x'.repeat(300_000);
    const results = await Promise.all(
      Array.from({ length: 90 }, async (_, i) => {
        const target = [a, b, c][i % 3] as pg.Pool;
        if (i % 2 === 0) {
          const { rows } = await target.query<{ v: number; l: number }>(
            'select $1::int as v, length($2::text) as l',
            [i, big],
          );
          return rows[0]?.v === i && rows[0].l === big.length;
        }
        const { rows } = await target.query<{ w: number }>('select $1::int as w, 1 as z', [i]);
        return rows[0]?.w === i;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it('keeps named prepared statements per connection, as PostgreSQL sessions do', async () => {
    // pg prepares a named query once per client: two clients of a pool each prepare the same name.
    const p = pool(2);
    const observer = pool(1);
    const [first, second] = [await p.connect(), await p.connect()];
    try {
      const named = (client: pg.PoolClient, v: number) =>
        client.query<{ v: number }>({ name: 'same-name', text: 'select $1::int + 1 as v', values: [v] });
      expect((await named(first, 1)).rows[0]?.v).toBe(2);
      expect((await named(second, 10)).rows[0]?.v).toBe(11);
      expect((await named(first, 100)).rows[0]?.v).toBe(101);
      const other = await observer.query<{ n: string }>(
        "select count(*) as n from pg_prepared_statements where name like '%same-name'",
      );
      expect(other.rows[0]?.n).toBe('2');
    } finally {
      first.release(true);
      second.release(true);
    }
    // A connection that went away leaves none of its statements behind.
    const left = async () =>
      (
        await p.query<{ n: string }>(
          "select count(*) as n from pg_prepared_statements where name like '%same-name'",
        )
      ).rows[0]?.n;
    const deadline = Date.now() + 5_000;
    while ((await left()) !== '0' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await left()).toBe('0');
  });

  it('runs a transaction alone: another connection waits for the commit and then sees it', async () => {
    const p = pool();
    await p.query('create table wait_for_commit (x int)');
    const writer = await p.connect();
    try {
      await writer.query('begin');
      await writer.query('insert into wait_for_commit values (1)');
      const reader = p.query<{ n: string }>('select count(*) as n from wait_for_commit');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writer.query('commit');
      expect((await reader).rows[0]?.n).toBe('1');
    } finally {
      writer.release();
    }
  });

  it('turns a wait behind an idle transaction into lock_not_available, and the waiter recovers', async () => {
    const holderPool = pool(1);
    const waiterPool = pool(1);
    const holder = await holderPool.connect();
    await waiterPool.query('select 1');
    try {
      await holder.query('begin');
      await expect(waiterPool.query('select 1')).rejects.toMatchObject({ code: '55P03' });
      await expect(waiterPool.query('select $1::int as v', [7])).rejects.toMatchObject({ code: '55P03' });
      await holder.query('commit');
      const { rows } = await waiterPool.query<{ v: number }>('select $1::int as v', [8]);
      expect(rows[0]?.v).toBe(8);
    } finally {
      holder.release();
    }
  });

  it('rolls back the transaction of a client that disconnects and lets the others go on', async () => {
    const p = pool();
    await p.query('create table abandoned (x int)');
    const client = new pg.Client(host.connection);
    await client.connect();
    await client.query('begin');
    await client.query('insert into abandoned values (1)');
    const waiting = p.query<{ n: string }>('select count(*) as n from abandoned');
    await client.end();
    expect((await waiting).rows[0]?.n).toBe('0');
  });
});
