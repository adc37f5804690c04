import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../src/app.js';

async function listen(options) {
  const app = createApp(options);
  await new Promise((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: type.includes('json') && text ? JSON.parse(text) : text };
  };
  return { app, call, close: () => new Promise((resolve) => app.server.close(resolve)) };
}

describe('feature-flag API', () => {
  let api;
  before(async () => {
    api = await listen({ version: 'test' });
  });
  after(() => api.close());

  it('answers /health with its version', async () => {
    assert.deepEqual(await api.call('GET', '/health'), {
      status: 200,
      body: { status: 'ok', version: 'test' },
    });
  });

  it('creates, lists, reads, updates and deletes flags', async () => {
    const created = await api.call('POST', '/flags', {
      name: 'new-checkout',
      description: 'the new checkout page',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.enabled, false);
    await api.call('POST', '/flags', { name: 'beta', enabled: true });
    assert.deepEqual(
      (await api.call('GET', '/flags')).body.map((f) => f.name),
      ['beta', 'new-checkout'],
    );
    const updated = await api.call('PUT', '/flags/new-checkout', { enabled: true });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.enabled, true);
    assert.equal(updated.body.description, 'the new checkout page');
    assert.equal((await api.call('GET', '/flags/new-checkout')).body.enabled, true);
    assert.equal((await api.call('DELETE', '/flags/new-checkout')).status, 204);
    assert.equal((await api.call('GET', '/flags/new-checkout')).status, 404);
  });

  it('refuses bad input with 400, a duplicate with 409, unknown flags and paths with 404', async () => {
    assert.equal((await api.call('POST', '/flags', { name: 'Bad Name' })).status, 400);
    assert.equal((await api.call('POST', '/flags', { name: 'ok', enabled: 'yes' })).status, 400);
    assert.equal((await api.call('POST', '/flags', '{not json')).status, 400);
    assert.equal((await api.call('POST', '/flags', [1])).status, 400);
    await api.call('POST', '/flags', { name: 'dup' });
    assert.equal((await api.call('POST', '/flags', { name: 'dup' })).status, 409);
    assert.equal((await api.call('PUT', '/flags/absent', { enabled: true })).status, 404);
    assert.equal((await api.call('DELETE', '/flags/absent')).status, 404);
    assert.equal((await api.call('GET', '/nowhere')).status, 404);
    assert.equal((await api.call('PATCH', '/flags')).status, 405);
    assert.equal((await api.call('POST', '/flags/dup')).status, 405);
  });

  it('serves request durations by route and status on /metrics', async () => {
    await api.call('GET', '/flags');
    const metrics = await api.call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(
      metrics.body,
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/flags",status_code="200"\}/,
    );
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });
});

describe('behaviour toggles of a bad release', () => {
  it('ERROR_RATE makes flag requests fail with 500, counted as errors', async () => {
    const api = await listen({ errorRate: 0.5, random: () => 0.1 });
    try {
      assert.deepEqual(await api.call('GET', '/flags'), {
        status: 500,
        body: { error: 'injected failure (ERROR_RATE)' },
      });
      assert.equal((await api.call('GET', '/health')).status, 200);
      const metrics = await api.call('GET', '/metrics');
      assert.match(
        metrics.body,
        /http_requests_errors_total\{method="GET",route="\/flags",status_code="500"\} 1/,
      );
    } finally {
      await api.close();
    }
  });

  it('SLOW_MS makes flag requests slower', async () => {
    const api = await listen({ slowMs: 60 });
    try {
      const started = Date.now();
      assert.equal((await api.call('GET', '/flags')).status, 200);
      assert.ok(Date.now() - started >= 55);
    } finally {
      await api.close();
    }
  });
});
