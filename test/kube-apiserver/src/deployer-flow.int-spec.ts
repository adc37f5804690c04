import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObject, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { eventually } from '@aviary/test-support';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { connect, deployment, failure, service, startWatch } from './testing/cluster.js';

/** What the deployer does against a cluster, through @kubernetes/client-node, on the test server. */
describe('the Kubernetes API test server, through client-node', () => {
  let server: KubeApiServer;
  let k8s: ReturnType<typeof connect>;
  let namespaces = 0;

  beforeAll(async () => {
    server = await startKubeApiServer({ podReadyDelayMs: 20 });
    k8s = connect(server);
  });
  afterAll(() => server.close());

  async function namespace(): Promise<string> {
    const name = `flow-${++namespaces}`;
    await k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  const rolledOut = (d: V1Deployment) =>
    d.status?.observedGeneration === d.metadata?.generation &&
    d.status?.updatedReplicas === d.spec?.replicas &&
    d.status?.readyReplicas === d.spec?.replicas &&
    d.status?.replicas === d.spec?.replicas &&
    d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable');

  async function podsOf(ns: string, labelSelector: string): Promise<V1Pod[]> {
    return (await k8s.core.listNamespacedPod({ namespace: ns, labelSelector })).items;
  }

  it('server-side applies the five objects a release is made of, and serves them back', async () => {
    const ns = await namespace();
    await k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } });
    const applied = await k8s.apply(deployment(ns, 'api', 'registry.local/api:1'));
    expect(applied.metadata).toMatchObject({ name: 'api', namespace: ns, generation: 1 });
    expect(applied.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([
      ['aviary', 'Apply'],
    ]);

    const svc = await k8s.apply(service(ns, 'api'));
    expect(svc).toMatchObject({
      spec: { clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ protocol: 'TCP' }] },
    });
    await k8s.apply({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } },
          },
        ],
      },
    });
    await k8s.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'api',
        namespace: ns,
        annotations: { 'nginx.ingress.kubernetes.io/canary': 'false' },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'api.example.test',
            http: {
              paths: [
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'api', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await k8s.apply({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'api', namespace: 'monitoring' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [{ port: 'http', path: '/metrics' }],
      },
    });

    const monitors = await k8s.objects.list('monitoring.coreos.com/v1', 'ServiceMonitor', 'monitoring');
    expect(monitors.items.map((m) => m.metadata?.name)).toEqual(['api']);
    const hpa = await eventually(async () => {
      const read = await k8s.objects.read({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'api', namespace: ns },
      });
      expect(read).toMatchObject({ status: { currentReplicas: 2, desiredReplicas: 2 } });
      return read;
    });
    expect(hpa.metadata?.name).toBe('api');
    expect(
      (
        await k8s.objects.read({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'api', namespace: ns },
        })
      ).metadata?.generation,
    ).toBe(1);
    await eventually(async () =>
      expect(rolledOut(await k8s.apps.readNamespacedDeployment({ name: 'api', namespace: ns }))).toBe(true),
    );
  });

  it('a watch follows a rollout until ready; re-applying a new image bumps generation and replaces every pod', async () => {
    const ns = await namespace();
    const watching = await startWatch<V1Deployment>(k8s.watch, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      fieldSelector: 'metadata.name=web',
    });
    try {
      await k8s.apply(deployment(ns, 'web', 'registry.local/web:1', { replicas: 3 }));
      await eventually(() => expect(watching.events.some((e) => rolledOut(e.object))).toBe(true));
      expect(watching.events[0]?.type).toBe('ADDED');
      expect(watching.events.slice(1).every((e) => e.type === 'MODIFIED')).toBe(true);
      const firstPods = (await podsOf(ns, 'app=web')).map((p) => p.metadata!.name);
      expect(firstPods).toHaveLength(3);

      const reapplied = await k8s.apply(deployment(ns, 'web', 'registry.local/web:2', { replicas: 3 }));
      expect(reapplied.metadata?.generation).toBe(2);
      await eventually(() => {
        const last = watching.events.at(-1)!.object;
        expect(last.metadata?.generation).toBe(2);
        expect(rolledOut(last)).toBe(true);
      });
      const pods = await podsOf(ns, 'app=web');
      expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(Array(3).fill('registry.local/web:2'));
      expect(pods.some((p) => firstPods.includes(p.metadata!.name))).toBe(false);
      const owner = pods[0]!.metadata!.ownerReferences![0]!;
      expect(owner).toMatchObject({
        kind: 'ReplicaSet',
        controller: true,
        name: expect.stringMatching(/^web-/),
      });
      expect(pods[0]!.metadata!.labels).toMatchObject({
        app: 'web',
        'aviary.dev/track': 'stable',
        'pod-template-hash': expect.any(String),
      });
    } finally {
      watching.stop();
    }
  });

  it('keeps status and spec apart: the status subresource writes only status, the object never does', async () => {
    const ns = await namespace();
    await k8s.apply(deployment(ns, 'split', 'registry.local/split:1', { replicas: 1 }));
    const url = `${server.url}/apis/apps/v1/namespaces/${ns}/deployments/split`;
    const patch = (suffix: string, replicas: number, statusReplicas: number) =>
      fetch(`${url}${suffix}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas }, status: { replicas: statusReplicas } }),
      }).then((r) => r.json() as Promise<V1Deployment>);
    const viaStatus = await patch('/status', 7, 42);
    expect([viaStatus.spec?.replicas, viaStatus.status?.replicas]).toEqual([1, 42]);
    const viaObject = await patch('', 7, 99);
    expect(viaObject.spec?.replicas).toBe(7);
    expect(viaObject.status?.replicas).not.toBe(99);
    expect(viaObject.metadata?.generation).toBe(2);
    const badSelector = await failure(
      k8s.core.listNamespacedPod({ namespace: ns, labelSelector: 'app in web' }),
    );
    expect(badSelector).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('lists by label selector (equality, in, notin, exists) and by field selector', async () => {
    const ns = await namespace();
    await k8s.apply(
      deployment(ns, 'shop', 'registry.local/shop:1', { replicas: 2, app: 'shop', track: 'stable' }),
    );
    await k8s.apply(
      deployment(ns, 'shop-canary', 'registry.local/shop:2', { replicas: 1, app: 'shop', track: 'canary' }),
    );
    await k8s.apply(
      deployment(ns, 'shop-baseline', 'registry.local/shop:1', {
        replicas: 1,
        app: 'shop',
        track: 'baseline',
      }),
    );
    await eventually(async () => expect(await podsOf(ns, 'app=shop')).toHaveLength(4));
    const count = async (labelSelector: string) => (await podsOf(ns, labelSelector)).length;
    expect(await count('app=shop,aviary.dev/track=stable')).toBe(2);
    expect(await count('aviary.dev/track in (canary,baseline)')).toBe(2);
    expect(await count('app=shop,aviary.dev/track notin (stable)')).toBe(2);
    expect(await count('aviary.dev/track')).toBe(4);
    expect(await count('!aviary.dev/track')).toBe(0);
    const byName = await k8s.apps.listNamespacedDeployment({
      namespace: ns,
      fieldSelector: 'metadata.name=shop-canary',
    });
    expect(byName.items.map((d) => d.metadata?.name)).toEqual(['shop-canary']);
    expect(byName.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('refuses an invalid object with 422 naming the field, and stores nothing', async () => {
    const ns = await namespace();
    const noImage = deployment(ns, 'broken', '');
    const invalid = await failure(k8s.apply(noImage));
    expect(invalid).toMatchObject({
      kind: 'Status',
      code: 422,
      reason: 'Invalid',
      details: { name: 'broken', kind: 'Deployment' },
    });
    expect(invalid.details?.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: 'spec.template.spec.containers[0].image',
      },
    ]);
    expect(invalid.message).toBe(
      'Deployment.apps "broken" is invalid: spec.template.spec.containers[0].image: Required value',
    );

    const badPort = service(ns, 'broken');
    badPort.spec.ports[0]!.port = 70000;
    const refused = await failure(k8s.apply(badPort));
    expect(refused.details?.causes?.map((c) => c.field)).toEqual(['spec.ports[0].port']);

    const wrongType = await failure(
      k8s.objects.create({
        ...deployment(ns, 'typed', 'x:1'),
        spec: { replicas: 'two' },
      } as KubernetesObject),
    );
    expect(wrongType.code).toBe(422);
    expect(wrongType.details?.causes?.map((c) => c.field)).toContain('spec.replicas');
    expect(server.objects('Deployment', ns)).toEqual([]);
  });

  it('answers 409 when a second field manager applies a conflicting value, and lets force take the field', async () => {
    const ns = await namespace();
    await k8s.apply(deployment(ns, 'pay', 'registry.local/pay:1'));
    const conflict = await failure(
      k8s.apply(deployment(ns, 'pay', 'registry.local/pay:9'), { manager: 'someone-else' }),
    );
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.details?.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "aviary" using apps/v1',
        field: '.spec.template.spec.containers[name="app"].image',
      },
    ]);
    const forced = await k8s.apply(deployment(ns, 'pay', 'registry.local/pay:9'), {
      manager: 'someone-else',
      force: true,
    });
    expect(forced.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'registry.local/pay:9' }] } },
    });
    expect(forced.metadata?.managedFields?.map((m) => m.manager).sort()).toEqual(['aviary', 'someone-else']);

    const created = await failure(k8s.objects.create(deployment(ns, 'pay', 'registry.local/pay:1')));
    expect(created).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'deployments.apps "pay" already exists',
    });
  });

  it('removes the fields a manager no longer applies', async () => {
    const ns = await namespace();
    await k8s.apply(deployment(ns, 'env', 'registry.local/env:1', { env: { A: '1', B: '2' } }));
    const second = await k8s.apply(deployment(ns, 'env', 'registry.local/env:1', { env: { A: '1' } }));
    expect(second.spec).toMatchObject({
      template: { spec: { containers: [{ env: [{ name: 'A', value: '1' }] }] } },
    });
    expect(second.metadata?.generation).toBe(2);
  });

  it('re-applying the same configuration is a no-op: same resourceVersion and generation', async () => {
    const ns = await namespace();
    await k8s.apply(deployment(ns, 'same', 'registry.local/same:1', { replicas: 1 }));
    await eventually(async () =>
      expect(rolledOut(await k8s.apps.readNamespacedDeployment({ name: 'same', namespace: ns }))).toBe(true),
    );
    const before = await k8s.apps.readNamespacedDeployment({ name: 'same', namespace: ns });
    const again = await k8s.apply(deployment(ns, 'same', 'registry.local/same:1', { replicas: 1 }));
    expect(again.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(again.metadata?.generation).toBe(1);
  });

  it('dry-run answers what would be stored and changes nothing', async () => {
    const ns = await namespace();
    const live = await k8s.apply(deployment(ns, 'dry', 'registry.local/dry:1', { replicas: 1 }));
    await eventually(async () =>
      expect(rolledOut(await k8s.apps.readNamespacedDeployment({ name: 'dry', namespace: ns }))).toBe(true),
    );
    const before = await k8s.apps.readNamespacedDeployment({ name: 'dry', namespace: ns });
    const answer = await k8s.apply(deployment(ns, 'dry', 'registry.local/dry:2', { replicas: 1 }), {
      dryRun: true,
    });
    expect(answer.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'registry.local/dry:2' }] } },
    });
    expect(answer.metadata?.generation).toBe(2);
    const created = await k8s.apply(deployment(ns, 'never', 'registry.local/never:1'), { dryRun: true });
    expect(created.metadata?.uid).toBeDefined();

    const after = await k8s.apps.readNamespacedDeployment({ name: 'dry', namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe('registry.local/dry:1');
    expect(live.metadata?.generation).toBe(1);
    expect(server.get('Deployment', ns, 'never')).toBeUndefined();
    expect((await podsOf(ns, 'app=dry')).map((p) => p.spec?.containers[0]?.image)).toEqual([
      'registry.local/dry:1',
    ]);
  });

  it('deleting a Deployment deletes its ReplicaSets and Pods (unless orphaned); reading it then answers 404', async () => {
    const ns = await namespace();
    await k8s.apply(deployment(ns, 'gone', 'registry.local/gone:1', { replicas: 2 }));
    await eventually(async () => expect(await podsOf(ns, 'app=gone')).toHaveLength(2));
    const podWatch = await startWatch<V1Pod>(k8s.watch, `/api/v1/namespaces/${ns}/pods`, {
      labelSelector: 'app=gone',
    });
    try {
      await k8s.apps.deleteNamespacedDeployment({
        name: 'gone',
        namespace: ns,
        propagationPolicy: 'Background',
      });
      expect(await podsOf(ns, 'app=gone')).toEqual([]);
      expect(server.objects('ReplicaSet', ns)).toEqual([]);
      await eventually(() => expect(podWatch.events.filter((e) => e.type === 'DELETED')).toHaveLength(2));
    } finally {
      podWatch.stop();
    }
    await k8s.apply(deployment(ns, 'kept', 'registry.local/kept:1', { replicas: 1 }));
    await eventually(async () => expect(await podsOf(ns, 'app=kept')).toHaveLength(1));
    await k8s.apps.deleteNamespacedDeployment({ name: 'kept', namespace: ns, propagationPolicy: 'Orphan' });
    expect(server.objects('ReplicaSet', ns).map((rs) => rs.metadata.ownerReferences)).toEqual([undefined]);
    expect(await podsOf(ns, 'app=kept')).toHaveLength(1);

    const missing = await failure(k8s.apps.readNamespacedDeployment({ name: 'gone', namespace: ns }));
    expect(missing).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "gone" not found',
    });
    const noNamespace = await failure(k8s.apply(deployment('nowhere', 'x', 'registry.local/x:1')));
    expect(noNamespace).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });
});
