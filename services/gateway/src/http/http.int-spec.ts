import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';

describe('HTTP errors', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers an unknown route and a wrong content type with a problem', async () => {
    const missing = await gateway.call('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404, title: 'Not Found' });
    expect(missing.body.detail).toContain('/api/v1/nothing-here');

    const text = await gateway.call('POST', '/api/v1/applications', {
      body: 'name=orders',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.detail).toContain('send application/json');
  });

  it('refuses a production start without a secret key, naming the variable', async () => {
    await expect(startGateway({ env: { AVIARY_ENV: 'production' } })).rejects.toThrow(
      'AVIARY_SECRET_KEY is required',
    );
    await expect(startGateway({ env: { AVIARY_SECRET_KEY: 'too-short' } })).rejects.toThrow(
      'AVIARY_SECRET_KEY must be 32 bytes',
    );
  });
});
