import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@aviary/test-support';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { AuditInterceptor } from '../audit/audit.interceptor.js';
import { RequestMethod } from '@nestjs/common';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { DOCUMENTATION_ROUTES } from '../http/openapi.js';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';
import { accessRuleOf } from './access.guard.js';

/** Full paths from Fastify's route tree (`└── /`, `    ├── api/v1/`, ... `name (GET, POST)`). */
function routesOf(tree: string): string[] {
  const stack: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (match[3] !== undefined) paths.push(stack.join(''));
  }
  return paths;
}

const app = { name: 'orders', provider: 'github', repositoryUrl: 'https://github.com/acme/orders' };

describe('the first admin token', () => {
  const started: GatewayUnderTest[] = [];
  afterEach(async () => {
    for (const gateway of started.splice(0).reverse()) await gateway.close();
  });

  it('is generated and printed once on standard output when none is configured, never logged, and not again by another replica', async () => {
    const first = await startGateway({ env: { AVIARY_ADMIN_TOKEN: undefined }, waitReady: false });
    started.push(first);
    const banner = await eventually(() => {
      expect(first.printed).toHaveLength(1);
      return first.printed[0]!;
    }, 20_000);
    const token = /^ {4}(avt_[A-Za-z0-9_-]{43})$/m.exec(banner)?.[1];
    expect(token).toBeDefined();
    expect((await first.call('GET', '/api/v1/tokens', { token })).status).toBe(200);
    expect(JSON.stringify(first.logs)).not.toContain(token);
    expect(first.logs.map((line) => line['msg'])).toContain(
      'first start: an admin token was generated and printed once on standard output; it will not be shown again',
    );

    const second = await startGateway({
      env: { AVIARY_ADMIN_TOKEN: undefined },
      replicaOf: first,
      waitReady: false,
    });
    started.push(second);
    await eventually(
      async () => expect((await second.call('GET', '/api/v1/tokens', { token })).status).toBe(200),
      20_000,
    );
    expect(second.printed).toEqual([]);
  }, 60_000);
});

describe('API tokens and roles', () => {
  let gateway: GatewayUnderTest;
  let viewer: string;
  let deployer: string;

  beforeAll(async () => {
    gateway = await startGateway();
    viewer = (await gateway.call('POST', '/api/v1/tokens', { body: { name: 'dashboard', role: 'viewer' } }))
      .body.token!;
    deployer = (
      await gateway.call('POST', '/api/v1/tokens', { body: { name: 'release-bot', role: 'deployer' } })
    ).body.token!;
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('lets a viewer read, a deployer not manage applications, and only an admin write them', async () => {
    expect((await gateway.call('GET', '/api/v1/applications', { token: viewer })).status).toBe(200);
    const byViewer = await gateway.call('POST', '/api/v1/applications', { token: viewer, body: app });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.detail).toBe('dashboard has the role viewer; this needs admin');
    expect((await gateway.call('POST', '/api/v1/applications', { token: deployer, body: app })).status).toBe(
      403,
    );
    expect((await gateway.call('POST', '/api/v1/applications', { body: app })).status).toBe(201);
    expect((await gateway.call('GET', '/api/v1/audit', { token: viewer })).status).toBe(403);
    expect((await gateway.call('GET', '/api/v1/tokens', { token: deployer })).status).toBe(403);
  });

  it('refuses no token, an unknown token and a revoked or expired one with 401', async () => {
    const none = await gateway.call('GET', '/api/v1/applications', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await gateway.call('GET', '/api/v1/applications', { token: 'avt_not-a-token' })).status).toBe(
      401,
    );
    expect((await gateway.call('GET', '/api/v1/applications', { token: `${viewer}x` })).status).toBe(401);
    const basic = await gateway.call('GET', '/api/v1/applications', {
      token: null,
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.status).toBe(401);

    const shortLived = await gateway.call('POST', '/api/v1/tokens', {
      body: { name: 'expired', role: 'viewer', expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(
      (await gateway.call('GET', '/api/v1/applications', { token: shortLived.body.token! })).status,
    ).toBe(401);

    const temporary = await gateway.call('POST', '/api/v1/tokens', {
      body: { name: 'temporary', role: 'viewer' },
    });
    expect((await gateway.call('GET', '/api/v1/applications', { token: temporary.body.token! })).status).toBe(
      200,
    );
    expect((await gateway.call('DELETE', `/api/v1/tokens/${temporary.body['id'] as string}`)).status).toBe(
      204,
    );
    expect((await gateway.call('GET', '/api/v1/applications', { token: temporary.body.token! })).status).toBe(
      401,
    );
    const listed = await gateway.call('GET', '/api/v1/tokens');
    expect(listed.text).not.toContain('temporary');
    expect(listed.text).not.toContain(viewer);
  });

  it('audits every mutating call, allowed or refused: who, what, when, from where', async () => {
    const started = Date.now();
    await gateway.call('PATCH', '/api/v1/applications/orders', { body: { defaultBranch: 'trunk' } });
    await gateway.call('DELETE', '/api/v1/applications/orders', { token: viewer });
    await gateway.call('DELETE', '/api/v1/applications/missing');
    await gateway.call('POST', '/api/v1/applications', { token: null, body: app });
    const audit = await gateway.call('GET', '/api/v1/audit?limit=4');
    expect(audit.status).toBe(200);
    const records = audit.body.records!;
    expect(records.map((r) => [r['actor'], r['action'], r['target'], r['status'], r['outcome']])).toEqual([
      ['unauthenticated', 'POST /api/v1/applications', null, 401, 'denied'],
      ['bootstrap-admin', 'DELETE /api/v1/applications/:name', 'name=missing', 404, 'failed'],
      ['dashboard', 'DELETE /api/v1/applications/:name', 'name=orders', 403, 'denied'],
      ['bootstrap-admin', 'PATCH /api/v1/applications/:name', 'name=orders', 200, 'succeeded'],
    ]);
    expect(records[3]).toMatchObject({ role: 'admin', via: 'token', sourceAddress: '127.0.0.1' });
    expect(Date.parse(records[3]!['at'] as string)).toBeGreaterThanOrEqual(started - 1000);
    const older = await gateway.call('GET', `/api/v1/audit?limit=2&before=${records[3]!['id'] as string}`);
    expect(older.body.records!.length).toBeGreaterThan(0);
    expect(audit.text).not.toContain(viewer);
  });

  it('puts a rule on every route (a role, or public with a reason) and an audit on every mutating one', () => {
    const discovery = gateway.service.app.get(DiscoveryService);
    const reflector = gateway.service.app.get(Reflector);
    const scanner = new MetadataScanner();
    const routes: string[] = [];
    const unruled: string[] = [];
    const unaudited: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prefix = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      for (const method of scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, object>)[method]!;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const route = `${verb} /${[prefix, path].filter((p) => p && p !== '/').join('/')}`;
        routes.push(route);
        const rule = accessRuleOf(reflector, handler, controller);
        if (!rule) unruled.push(route);
        const interceptors = [
          ...((Reflect.getMetadata(INTERCEPTORS_METADATA, controller) as unknown[] | undefined) ?? []),
          ...((Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? []),
        ];
        if (rule?.kind === 'role' && verb !== 'GET' && !interceptors.includes(AuditInterceptor))
          unaudited.push(route);
      }
    }
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /metrics',
        'POST /webhooks/github',
        'POST /api/v1/applications',
      ]),
    );
    expect(unruled).toEqual([]);
    // Every mutating call of the API is audited (webhooks are not calls of a user).
    expect(unaudited).toEqual([]);
    // The only routes outside Nest's controllers are the documentation's.
    const fastify = gateway.service.app.getHttpAdapter().getInstance();
    const served = routesOf(fastify.printRoutes());
    expect(served).toEqual(expect.arrayContaining(['/docs/json', '/api/v1/applications', '/health']));
    const outside = served.filter(
      (path) =>
        !routes.some(
          (route) => route.split(' ')[1]!.replace(/:[^/]+/g, ':') === path.replace(/:[^/]+/g, ':'),
        ),
    );
    expect(outside.filter((path) => !DOCUMENTATION_ROUTES.some((doc) => path.startsWith(doc)))).toEqual([]);
  });

  it('serves the OpenAPI description publicly, built from the zod schemas', async () => {
    const spec = await gateway.call('GET', '/docs/json', { token: null });
    expect(spec.status).toBe(200);
    const paths = spec.body['paths'] as Record<string, Record<string, { requestBody?: unknown }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/v1/applications', '/webhooks/github', '/api/v1/audit']),
    );
    expect(JSON.stringify(paths['/api/v1/applications']!['post']!.requestBody)).toContain('repositoryUrl');
    const ui = await gateway.call('GET', '/docs', { token: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });
});

describe('anonymous reads', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway({ env: { AVIARY_ANONYMOUS_READ: 'true' } });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('opens viewer reads to anyone when configured, never writes or admin reads', async () => {
    expect((await gateway.call('GET', '/api/v1/applications', { token: null })).status).toBe(200);
    expect((await gateway.call('POST', '/api/v1/applications', { token: null, body: app })).status).toBe(401);
    expect((await gateway.call('GET', '/api/v1/audit', { token: null })).status).toBe(401);
    expect((await gateway.call('GET', '/api/v1/applications', { token: 'avt_wrong' })).status).toBe(401);
  });
});

describe('OIDC bearer tokens', () => {
  let gateway: GatewayUnderTest;
  let issuerServer: Server;
  let issuer: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;

  function sign(
    claims: Record<string, unknown>,
    options: { key?: CryptoKey; issuer?: string; audience?: string; expires?: string } = {},
  ) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.key === otherKey ? 'other' : 'main' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? 'aviary')
      .setSubject(typeof claims['sub'] === 'string' ? claims['sub'] : 'user-1')
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '5m')
      .sign(options.key ?? key);
  }

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    ({ privateKey: otherKey } = await generateKeyPair('RS256'));
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'main', alg: 'RS256', use: 'sig' };
    issuerServer = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration')
        response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      else if (request.url === '/keys') response.end(JSON.stringify({ keys: [publicJwk] }));
      else response.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    gateway = await startGateway({
      env: {
        AVIARY_OIDC_ISSUER: issuer,
        AVIARY_OIDC_AUDIENCE: 'aviary',
        AVIARY_OIDC_ROLES_CLAIM: 'groups',
        AVIARY_OIDC_ROLE_MAP: 'platform=admin,developers=deployer,everyone=viewer',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    issuerServer?.closeAllConnections();
    await new Promise((resolve) => issuerServer?.close(resolve));
  });

  it('accepts a token from the issuer and maps its groups claim to the highest role', async () => {
    const developer = await sign({ email: 'dev@acme.example', groups: ['everyone', 'developers'] });
    expect((await gateway.call('GET', '/api/v1/applications', { token: developer })).status).toBe(200);
    const denied = await gateway.call('POST', '/api/v1/applications', { token: developer, body: app });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toBe('dev@acme.example has the role deployer; this needs admin');

    const admin = await sign({ email: 'ops@acme.example', groups: ['platform'] });
    expect((await gateway.call('POST', '/api/v1/applications', { token: admin, body: app })).status).toBe(
      201,
    );
    const audit = await gateway.call('GET', '/api/v1/audit?limit=1');
    expect(audit.body.records![0]).toMatchObject({
      actor: 'ops@acme.example',
      role: 'admin',
      via: 'oidc',
      status: 201,
    });
  });

  it('refuses an expired token, another issuer or audience, a foreign key, and a token with no mapped role', async () => {
    const expired = await sign(
      { groups: ['platform'] },
      { expires: new Date(Date.now() - 60_000) as unknown as string },
    );
    const refusedExpired = await gateway.call('GET', '/api/v1/applications', { token: expired });
    expect(refusedExpired.status).toBe(401);
    expect(refusedExpired.body.detail).toContain('"exp"');
    expect(
      (
        await gateway.call('GET', '/api/v1/applications', {
          token: await sign({ groups: ['platform'] }, { issuer: 'https://evil.example' }),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await gateway.call('GET', '/api/v1/applications', {
          token: await sign({ groups: ['platform'] }, { audience: 'other' }),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await gateway.call('GET', '/api/v1/applications', {
          token: await sign({ groups: ['platform'] }, { key: otherKey }),
        })
      ).status,
    ).toBe(401);
    const roleless = await gateway.call('GET', '/api/v1/applications', {
      token: await sign({ email: 'x@acme.example', groups: ['sales'] }),
    });
    expect(roleless.status).toBe(403);
    expect(roleless.body.detail).toContain('no Aviary role');
  });
});
