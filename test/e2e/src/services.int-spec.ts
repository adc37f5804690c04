import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  freePort,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Started {
  name: ServiceName;
  url: string;
  child: ChildProcess;
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Every service as the process it is in production (`node services/<name>/dist/main.js`, built by
 * `npm test`), on real NATS and PostgreSQL: it becomes ready, serves metrics, and exits 0 on SIGTERM.
 */
describe('the seven services as processes', () => {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('svc')}_`;
  let natsUrl: string;
  let databaseUrl: string;
  const started: Started[] = [];

  beforeAll(async () => {
    natsUrl = await natsUrlForTests();
    databaseUrl = await databaseUrlForTests();
    for (const name of SERVICE_NAMES) {
      const main = join(root, 'services', name, 'dist', 'main.js');
      if (!existsSync(main))
        throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
      const port = await freePort();
      const child = spawn(process.execPath, [main], {
        env: {
          PATH: process.env['PATH'],
          NATS_URL: natsUrl,
          DATABASE_URL: databaseUrl,
          AVIARY_SUBJECT_ROOT: names.subjectRoot,
          AVIARY_STREAM_PREFIX: names.streamPrefix,
          AVIARY_SCHEMA_PREFIX: schemaPrefix,
          [`${name.toUpperCase()}_PORT`]: String(port),
          LOG_FORMAT: 'json',
          // The gateway refuses to start in production without AVIARY_SECRET_KEY.
          AVIARY_ENV: 'test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      started.push({ name, url: `http://127.0.0.1:${port}`, child, output, exit });
    }
  }, 60_000);

  afterAll(async () => {
    for (const service of started) service.child.kill('SIGKILL');
    await deleteStreams(natsUrl, names.streamPrefix);
    for (const name of SERVICE_NAMES) await dropSchema(databaseUrl, `${schemaPrefix}${name}`);
  });

  it('each becomes ready on its own port, with bus and database up', async () => {
    for (const service of started) {
      const body = await eventually(
        async () => {
          const response = await fetch(`${service.url}/health`);
          expect({ service: service.name, status: response.status }).toEqual({
            service: service.name,
            status: 200,
          });
          return (await response.json()) as { info: Record<string, { status: string }> };
        },
        30_000,
        100,
      ).catch((error: unknown) => {
        throw new Error(`${service.name} never became ready:\n${service.output.join('')}\n${String(error)}`);
      });
      expect(body.info).toMatchObject({ bus: { status: 'up' }, database: { status: 'up' } });
    }
    expect(new Set(Object.values(DEFAULT_PORTS)).size).toBe(SERVICE_NAMES.length);
  }, 60_000);

  it('each serves Prometheus metrics, including its bus connection', async () => {
    for (const service of started) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      expect(text).toContain(`process_cpu_seconds_total{service="${service.name}"}`);
      expect(text).toMatch(/aviary_bus_connected\{[^}]*\} 1/);
    }
  });

  it('each logs JSON lines naming itself', () => {
    for (const service of started) {
      const first = service.output
        .join('')
        .split('\n')
        .find((line) => line.startsWith('{'));
      expect(first && (JSON.parse(first) as { service?: string }).service).toBe(service.name);
    }
  });

  it('each drains and exits 0 on SIGTERM', async () => {
    for (const service of started) service.child.kill('SIGTERM');
    const exits = await Promise.all(
      started.map(async (service) => ({ name: service.name, ...(await service.exit) })),
    );
    expect(exits).toEqual(SERVICE_NAMES.map((name) => ({ name, code: 0, signal: null })));
  }, 30_000);
});
