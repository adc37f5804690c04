import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { eventually } from '@aviary/test-support';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { connect, failure, startWatch } from './testing/cluster.js';

const configMap = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'faults' },
  data: { value },
});

/** Injected faults, and how a client recovers from them: retries after 5xx, watches resumed by resourceVersion. */
describe('fault injection', () => {
  let server: KubeApiServer;
  let k8s: ReturnType<typeof connect>;

  beforeAll(async () => {
    server = await startKubeApiServer({ namespaces: ['faults'] });
    k8s = connect(server);
  });
  afterEach(() => server.faults.reset());
  afterAll(() => server.close());

  it('answers a burst of 5xx with Status bodies, then recovers', async () => {
    await k8s.apply(configMap('burst', '1'));
    server.faults.failNext(2, { path: '/configmaps/burst', status: 503 });
    const read = () => k8s.core.readNamespacedConfigMap({ name: 'burst', namespace: 'faults' });
    expect(await failure(read())).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect(await failure(read())).toMatchObject({ code: 503 });
    expect((await read()).data).toEqual({ value: '1' });

    server.faults.failPercent(100, { path: '/configmaps', method: 'PATCH' });
    expect(await failure(k8s.apply(configMap('burst', '2')))).toMatchObject({
      code: 500,
      reason: 'InternalError',
    });
    expect((await read()).data).toEqual({ value: '1' });
    server.faults.reset();
    await k8s.apply(configMap('burst', '2'));
    expect((await read()).data).toEqual({ value: '2' });
  });

  it('delays matching requests', async () => {
    server.faults.slow(300, { path: '/namespaces/faults/configmaps' });
    const started = Date.now();
    await k8s.core.listNamespacedConfigMap({ namespace: 'faults' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('drops a watch; resuming from the last resourceVersion it saw misses nothing', async () => {
    await k8s.apply(configMap('watched', '0'));
    const path = '/api/v1/namespaces/faults/configmaps';
    const first = await startWatch<V1ConfigMap>(k8s.watch, path, { fieldSelector: 'metadata.name=watched' });
    await eventually(() => expect(first.events).toHaveLength(1));
    await k8s.apply(configMap('watched', '1'));
    await eventually(() => expect(first.events).toHaveLength(2));

    expect(server.faults.dropWatches({ path: 'configmaps' })).toBe(1);
    expect(await first.ended).toBeNull();
    await k8s.apply(configMap('watched', '2'));
    await k8s.apply(configMap('watched', '3'));

    const lastSeen = first.events.at(-1)!.object.metadata!.resourceVersion!;
    const resumed = await startWatch<V1ConfigMap>(k8s.watch, path, {
      fieldSelector: 'metadata.name=watched',
      resourceVersion: lastSeen,
    });
    try {
      await eventually(() =>
        expect(resumed.events.map((e) => [e.type, e.object.data?.value])).toEqual([
          ['MODIFIED', '2'],
          ['MODIFIED', '3'],
        ]),
      );
    } finally {
      resumed.stop();
    }
  });

  it('closes watches after N events when told to', async () => {
    server.faults.dropWatches({ path: '/configmaps', afterEvents: 2 });
    const watching = await startWatch<V1ConfigMap>(k8s.watch, '/api/v1/namespaces/faults/configmaps', {
      labelSelector: 'drop=me',
    });
    for (const value of ['a', 'b', 'c']) {
      await k8s.apply({
        ...configMap('dropme', value),
        metadata: { ...configMap('dropme', value).metadata, labels: { drop: 'me' } },
      });
    }
    await watching.ended;
    expect(watching.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(server.faults.openWatches()).toBe(0);
  });

  it('answers a resume from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const before = server.resourceVersion();
    await k8s.apply(configMap('old', '1'));
    server.compactWatchHistory();
    const watching = await startWatch(k8s.watch, '/api/v1/namespaces/faults/configmaps', {
      resourceVersion: before,
    });
    await watching.ended;
    expect(watching.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('answers 415 for an unknown patch type and 422 for an apply without a field manager', async () => {
    const url = `${server.url}/api/v1/namespaces/faults/configmaps/x`;
    const unknown = await fetch(url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(unknown.status).toBe(415);
    expect(await unknown.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    const anonymous = await fetch(url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    });
    expect(anonymous.status).toBe(422);
    expect(((await anonymous.json()) as { message: string }).message).toContain(
      'fieldManager: Required value',
    );
  });
});
