import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { containerRuntimeReachable, resolveTestServer, type TestServerSources } from './test-server.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const CONTAINER_IMAGE = 'postgres:15-alpine';

const HOW_TO_START = [
  'No PostgreSQL for the tests. Either:',
  '  - set DATABASE_URL to a database the tests may create schemas in;',
  `  - start one answering at ${DEFAULT_TEST_DATABASE_URL} (on this machine: ` +
    '`pg_ctlcluster --skip-systemctl-redirect 15 main start`; elsewhere: ' +
    '`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15`);',
  '  - or make a container runtime (Docker, Podman) reachable, and the tests start one themselves.',
].join('\n');

export type TestDatabaseSources = Omit<TestServerSources, 'variable' | 'howToStart'>;

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:****@');
}

/** The order of preference; exported so that it can be tested without a database. */
export function resolveTestDatabaseUrl(sources: TestDatabaseSources): Promise<string> {
  return resolveTestServer({ ...sources, variable: 'DATABASE_URL', howToStart: HOW_TO_START });
}

/** What is wrong with the PostgreSQL at `url` (its password masked), or undefined if it answers. */
export async function probeDatabase(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch {
    return `no PostgreSQL answers at ${withoutPassword(url)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startContainer(): Promise<string | undefined> {
  if (!(await containerRuntimeReachable())) return undefined;
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  // testcontainers' reaper removes the container when the test process exits.
  const container = await new PostgreSqlContainer(CONTAINER_IMAGE).start();
  return container.getConnectionUri();
}

let resolved: Promise<string> | undefined;

/**
 * A PostgreSQL for integration tests: DATABASE_URL if set; else the local default if it answers;
 * else one in a container where a runtime is reachable; else an error saying how to start one.
 * Resolved once per test file; each test still works in its own schema (uniqueSchemaName).
 */
export function databaseUrlForTests(): Promise<string> {
  resolved ??= resolveTestDatabaseUrl({
    envUrl: process.env['DATABASE_URL'],
    defaultUrl: DEFAULT_TEST_DATABASE_URL,
    probe: probeDatabase,
    startContainer,
  });
  return resolved;
}

/** A schema name no other test run uses: `<prefix>_<time><random>`, valid unquoted in PostgreSQL. */
export function uniqueSchemaName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^([^a-z_])/, '_$1');
  const suffix = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  return `${clean.slice(0, 62 - suffix.length)}_${suffix}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replaceAll('"', '""')}" cascade`);
  } finally {
    await client.end();
  }
}
