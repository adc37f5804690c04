import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseUrlForTests } from '@aviary/test-support';
import pg from 'pg';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';

describe('applications API', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  const orders = {
    name: 'orders',
    provider: 'github',
    repositoryUrl: 'https://github.com/acme/orders',
    defaultBranch: 'main',
  };

  it('creates an application and returns its generated webhook secret once', async () => {
    const created = await gateway.call('POST', '/api/v1/applications', { body: orders });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...orders,
      buildTags: false,
      webhookPath: '/webhooks/github',
      createdBy: 'bootstrap-admin',
    });
    expect(created.body.webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const fetched = await gateway.call('GET', '/api/v1/applications/orders');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject(orders);
    expect(fetched.text).not.toContain(created.body.webhookSecret);
    const listed = await gateway.call('GET', '/api/v1/applications');
    expect(listed.body.applications!.map((a: { name: string }) => a.name)).toContain('orders');
    expect(listed.text).not.toContain(created.body.webhookSecret);
  });

  it('stores the secret encrypted: the table never holds it in clear', async () => {
    const created = await gateway.call('POST', '/api/v1/applications', {
      body: { ...orders, name: 'sealed', webhookSecret: 'a-secret-chosen-by-the-admin' },
    });
    expect(created.status).toBe(201);
    expect(created.body.webhookSecret).toBe('a-secret-chosen-by-the-admin');
    const client = new pg.Client({ connectionString: await databaseUrlForTests() });
    await client.connect();
    try {
      const { rows } = await client.query<{ sealed: string }>(
        `select webhook_secret_sealed as sealed from "${gateway.schema}".applications where name = 'sealed'`,
      );
      expect(rows[0]!.sealed).toMatch(/^v1\./);
      expect(rows[0]!.sealed).not.toContain('a-secret-chosen');
    } finally {
      await client.end();
    }
  });

  it('updates and deletes an application; a missing one is a 404 problem naming it', async () => {
    await gateway.call('POST', '/api/v1/applications', { body: { ...orders, name: 'payments' } });
    const updated = await gateway.call('PATCH', '/api/v1/applications/payments', {
      body: { defaultBranch: 'trunk', buildTags: true },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'payments', defaultBranch: 'trunk', buildTags: true });

    expect((await gateway.call('DELETE', '/api/v1/applications/payments')).status).toBe(204);
    const gone = await gateway.call('GET', '/api/v1/applications/payments');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('application/problem+json');
    expect(gone.body).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: 'no application is named "payments"',
    });
    expect((await gateway.call('DELETE', '/api/v1/applications/payments')).status).toBe(404);
  });

  it('refuses invalid bodies with a problem listing each field', async () => {
    const response = await gateway.call('POST', '/api/v1/applications', {
      body: { name: 'Not Valid', provider: 'svn', repositoryUrl: '', extra: 1 },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const fields = response.body.errors!.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'provider', 'repositoryUrl']));
    expect(response.body.detail).toContain('name:');

    const malformed = await gateway.call('POST', '/api/v1/applications', { body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toContain('not valid JSON');
  });

  it('refuses a second application with the same name with 409', async () => {
    await gateway.call('POST', '/api/v1/applications', { body: { ...orders, name: 'twice' } });
    const again = await gateway.call('POST', '/api/v1/applications', { body: { ...orders, name: 'twice' } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('twice');
  });
});
