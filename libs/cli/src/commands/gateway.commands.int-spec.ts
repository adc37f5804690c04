import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsSource, type CredentialsSource } from '../config/credentials.js';
import { runCli } from '../program.js';
import { captureIo } from '../testing/capture.js';

const gatewayMain = fileURLToPath(new URL('../../../../services/gateway/dist/main.js', import.meta.url));

/** The real gateway, as a process (a library never imports a service), on NATS and PostgreSQL. */
describe('aviary login and aviary applications against a running gateway', () => {
  let child: ChildProcess;
  let url: string;
  let configDir: string;
  let source: CredentialsSource;
  const adminToken = `cli-admin-${randomBytes(24).toString('hex')}`;
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('cli')}_`;
  let natsUrl: string;
  let databaseUrl: string;

  async function cli(...args: string[]) {
    const io = captureIo();
    const code = await runCli(args, io, source);
    return { code, out: io.stdout, err: io.stderr };
  }

  beforeAll(async () => {
    if (!existsSync(gatewayMain))
      throw new Error(`${gatewayMain} is missing: run \`npm run build\` first (npm test does)`);
    natsUrl = await natsUrlForTests();
    databaseUrl = await databaseUrlForTests();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [gatewayMain], {
      env: {
        PATH: process.env['PATH'],
        NATS_URL: natsUrl,
        DATABASE_URL: databaseUrl,
        AVIARY_SUBJECT_ROOT: names.subjectRoot,
        AVIARY_STREAM_PREFIX: names.streamPrefix,
        AVIARY_SCHEMA_PREFIX: schemaPrefix,
        GATEWAY_PORT: String(port),
        AVIARY_ENV: 'test',
        AVIARY_ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await eventually(
      async () => {
        const response = await fetch(`${url}/api/v1/applications`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        expect(response.status).toBe(200);
      },
      30_000,
      100,
    );
    configDir = mkdtempSync(join(tmpdir(), 'aviary-cli-'));
    source = credentialsSource({ AVIARY_CONFIG_DIR: configDir });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(configDir, { recursive: true, force: true });
    await deleteStreams(natsUrl, names.streamPrefix);
    await dropSchema(databaseUrl, `${schemaPrefix}gateway`);
  });

  it('refuses to work before a login, and refuses a login with a bad token', async () => {
    const before = await cli('applications', 'list');
    expect(before.code).toBe(2);
    expect(before.err).toContain('not logged in');
    const bad = await cli('login', url, '--token', 'avt_wrong');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('401');
    expect(existsSync(source.file)).toBe(false);
  });

  it('logs in, creates, lists and deletes an application', async () => {
    const login = await cli('login', `${url}/`, '--token', adminToken);
    expect(login.code).toBe(0);
    expect(statSync(source.file).mode & 0o777).toBe(0o600);

    const created = await cli(
      'applications',
      'create',
      'orders',
      '--repository',
      'https://github.com/acme/orders',
      '--provider',
      'github',
    );
    expect(created.code).toBe(0);
    expect(created.out).toContain(`webhook URL:    ${url}/webhooks/github`);
    expect(created.out).toMatch(/webhook secret: [A-Za-z0-9_-]{40,}/);

    const listed = await cli('applications', 'list');
    expect(listed.out).toMatch(/orders\s+github\s+main\s+https:\/\/github.com\/acme\/orders/);

    const invalid = await cli('applications', 'create', 'Bad Name', '--repository', 'x', '--provider', 'svn');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain('400');
    expect(invalid.err).toContain('provider');

    expect((await cli('applications', 'delete', 'orders')).code).toBe(0);
    expect((await cli('applications', 'list')).out).toBe('no applications\n');
    const missing = await cli('applications', 'delete', 'orders');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no application is named "orders"');
  });
});
