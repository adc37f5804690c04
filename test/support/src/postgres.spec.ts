import { describe, expect, it } from '@jest/globals';
import {
  probeDatabase,
  resolveTestDatabaseUrl,
  uniqueSchemaName,
  type TestDatabaseSources,
} from './postgres.js';

function sources(overrides: Partial<TestDatabaseSources>): TestDatabaseSources & { tried: string[] } {
  const tried: string[] = [];
  return {
    tried,
    envUrl: undefined,
    defaultUrl: 'postgres://local/test',
    probe: (url) => {
      tried.push(url);
      return Promise.resolve(`no PostgreSQL answers at ${url}`);
    },
    startContainer: () => {
      tried.push('container');
      return Promise.resolve(undefined);
    },
    ...overrides,
  };
}

describe('resolveTestDatabaseUrl', () => {
  it('takes DATABASE_URL when it answers, without looking further', async () => {
    const s = sources({ envUrl: 'postgres://ci/db', probe: () => Promise.resolve(undefined) });
    await expect(resolveTestDatabaseUrl(s)).resolves.toBe('postgres://ci/db');
    expect(s.tried).toEqual([]);
  });

  it('fails at once, password masked, when DATABASE_URL is set but does not answer', async () => {
    const s = sources({ envUrl: 'postgres://me:secret@127.0.0.1:1/db', probe: probeDatabase });
    await expect(resolveTestDatabaseUrl(s)).rejects.toThrow(
      'DATABASE_URL is set, but no PostgreSQL answers at postgres://me:****@127.0.0.1:1/db.',
    );
  });

  it('then the local default, then a container', async () => {
    const s = sources({ startContainer: () => Promise.resolve('postgres://container/test') });
    await expect(resolveTestDatabaseUrl(s)).resolves.toBe('postgres://container/test');
    expect(s.tried).toEqual(['postgres://local/test']);
  });

  it('says how to start PostgreSQL when nothing is available', async () => {
    const s = sources({});
    await expect(resolveTestDatabaseUrl(s)).rejects.toThrow(/pg_ctlcluster .*15 main start/);
    expect(s.tried).toEqual(['postgres://local/test', 'container']);
  });
});

describe('uniqueSchemaName', () => {
  it('gives distinct names that PostgreSQL accepts unquoted', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueSchemaName('Outbox-Relay')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^outbox_relay_[a-z0-9]+$/);
    expect(uniqueSchemaName('x'.repeat(100)).length).toBeLessThanOrEqual(63);
    expect(uniqueSchemaName('9lives')).toMatch(/^_9lives_/);
  });
});
