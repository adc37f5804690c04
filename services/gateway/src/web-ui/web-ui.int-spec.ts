import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DataOf, GetEnvironments, type ReplyOf } from '@aviary/events';
import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBusStub } from '../testing/bus-stub.js';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';

const INDEX =
  '<!doctype html><html><body><div id="app"></div><script src="/assets/app-3f2a1b.js"></script></body></html>';
const SCRIPT = `console.log(${JSON.stringify('aviary '.repeat(400))});`;

function builtSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aviary-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-3f2a1b.js'), SCRIPT);
  return dir;
}

@Controller()
class DeployerStub {
  @MessagePattern(GetEnvironments.subject)
  environments(@Payload() query: DataOf<typeof GetEnvironments>): ReplyOf<typeof GetEnvironments> {
    return {
      application: query.application,
      environments: [
        {
          environment: 'production',
          namespace: 'production',
          serverGroups: [
            {
              name: 'orders',
              role: 'production',
              image: 'orders:1.4.0',
              version: '1.4.0',
              replicas: 3,
              health: 'healthy',
            },
          ],
          lastRelease: {
            releaseId: 'exec-1/deploy/1',
            executionId: 'exec-1',
            stageId: 'deploy',
            strategy: 'rolling',
            state: 'promoted',
            image: 'orders:1.4.0',
            changedAt: new Date().toISOString(),
          },
        },
      ],
    };
  }
}

@Module({ controllers: [DeployerStub] })
class DeployerStubModule {}

describe('the web UI served by the gateway', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway({ env: { AVIARY_WEB_DIR: builtSite() } });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves the page at / and at every page path of the app, always revalidated, without a token', async () => {
    for (const path of ['/', '/applications/orders', '/executions/exec-1/stages/canary/canary']) {
      const page = await gateway.call('GET', path, { token: null });
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.text).toBe(INDEX);
    }
    expect(gateway.logs.map((line) => line['msg'])).toContain('web UI served at /');
  });

  it('serves hashed assets cached for a year, gzipped when asked, 304 when unchanged', async () => {
    const plain = await fetch(`${gateway.url}/assets/app-3f2a1b.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('text/javascript');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await plain.text()).toBe(SCRIPT);

    const gzipped = await gateway.call('GET', '/assets/app-3f2a1b.js', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    // fetch unzipped it
    expect(gzipped.text).toBe(SCRIPT);
    const etag = plain.headers.get('etag')!;
    const again = await fetch(`${gateway.url}/assets/app-3f2a1b.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers 404 for a missing asset and for unknown API paths (never the page)', async () => {
    expect((await gateway.call('GET', '/assets/nope-123.js', { token: null })).status).toBe(404);
    expect((await gateway.call('GET', '/favicon.png', { token: null })).status).toBe(404);
    const api = await gateway.call('GET', '/api/v1/nothing-here', { token: null });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('tells the browser who it is and what its role allows, and how to sign in', async () => {
    const admin = await gateway.call('GET', '/api/v1/session');
    expect(admin.body).toEqual({
      user: 'bootstrap-admin',
      role: 'admin',
      via: 'token',
      may: { operate: true, administer: true },
    });
    const viewer = (
      await gateway.call('POST', '/api/v1/tokens', { body: { name: 'watcher', role: 'viewer' } })
    ).body.token!;
    expect((await gateway.call('GET', '/api/v1/session', { token: viewer })).body).toMatchObject({
      user: 'watcher',
      role: 'viewer',
      may: { operate: false, administer: false },
    });
    expect((await gateway.call('GET', '/api/v1/session', { token: null })).status).toBe(401);
    const signIn = await gateway.call('GET', '/api/v1/sign-in', { token: null });
    expect(signIn.body).toEqual({ anonymousRead: false });
  });

  it("gives an application's environments from the deployer: 404 for an unknown application, 503 while the deployer is away", async () => {
    await gateway.call('POST', '/api/v1/applications', {
      body: { name: 'orders', provider: 'github', repositoryUrl: 'https://github.com/acme/orders' },
    });
    expect((await gateway.call('GET', '/api/v1/applications/nope/environments')).status).toBe(404);
    const away = await gateway.call('GET', '/api/v1/applications/orders/environments');
    expect(away.status).toBe(503);
    expect(away.body.detail).toContain('the deployer service did not answer');
    const deployer = await startBusStub(gateway, 'deployer', DeployerStubModule);
    try {
      const environments = await gateway.call('GET', '/api/v1/applications/orders/environments');
      expect(environments.status).toBe(200);
      expect(environments.body).toMatchObject({
        application: 'orders',
        environments: [{ environment: 'production', serverGroups: [{ version: '1.4.0', replicas: 3 }] }],
      });
    } finally {
      await deployer.close();
    }
  });
});

describe('a gateway whose web UI was not built', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway({
      env: {
        AVIARY_WEB_DIR: mkdtempSync(join(tmpdir(), 'aviary-web-empty-')),
        AVIARY_ANONYMOUS_READ: 'true',
        AVIARY_OIDC_ISSUER: 'https://login.example.com/realms/acme',
        AVIARY_OIDC_CLIENT_ID: 'aviary-web',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('starts, says so in its log, serves the API, and answers / with a problem saying what to do', async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    // The log says what is missing and how to get it.
    expect(gateway.logs.map((line) => String(line['msg']))).toContainEqual(
      expect.stringMatching(/^web UI not built .*run `npm run build`/),
    );
    const page = await gateway.call('GET', '/', { token: null });
    expect(page.status).toBe(404);
    expect(page.body.detail).toContain('npm run build');
    expect((await gateway.call('GET', '/api/v1/applications', { token: null })).status).toBe(200);
    expect((await gateway.call('GET', '/api/v1/session', { token: null })).body).toMatchObject({
      user: 'anonymous',
      role: 'viewer',
      via: 'anonymous',
      may: { operate: false },
    });
    expect((await gateway.call('GET', '/api/v1/sign-in', { token: null })).body).toEqual({
      anonymousRead: true,
      oidc: {
        issuer: 'https://login.example.com/realms/acme',
        clientId: 'aviary-web',
        scopes: 'openid profile email',
      },
    });
  });
});
