import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Log, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { eventually } from '@aviary/test-support';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { connect, deployment, failure } from './testing/cluster.js';

/** The failures a rollout meets, as the deployer must report them: reasons on pods, progress deadlines, logs. */
describe('simulated pods and rollouts', () => {
  let server: KubeApiServer;
  let k8s: ReturnType<typeof connect>;

  beforeAll(async () => {
    server = await startKubeApiServer({
      podReadyDelayMs: 20,
      failingImages: /:bad$/,
      crashLoopRestartIntervalMs: 50,
      podLogs: ({ pod, index }) => `${pod} says ${index}`,
      podLogInitialLines: 2,
      podLogIntervalMs: 20,
      namespaces: ['pods'],
    });
    k8s = connect(server);
  });
  afterAll(() => server.close());

  const pods = async (labelSelector: string): Promise<V1Pod[]> =>
    (await k8s.core.listNamespacedPod({ namespace: 'pods', labelSelector })).items;
  const read = (name: string): Promise<V1Deployment> =>
    k8s.apps.readNamespacedDeployment({ name, namespace: 'pods' });
  const condition = (d: V1Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);

  it('keeps the old pods serving while new ones sit in ImagePullBackOff, until the progress deadline passes', async () => {
    await k8s.apply(
      deployment('pods', 'pull', 'registry.local/pull:1', { replicas: 2, progressDeadlineSeconds: 1 }),
    );
    await eventually(async () => expect((await read('pull')).status?.availableReplicas).toBe(2));

    await k8s.apply(
      deployment('pods', 'pull', 'registry.local/pull:bad', { replicas: 2, progressDeadlineSeconds: 1 }),
    );
    const stuck = await eventually(async () => {
      const failing = (await pods('app=pull')).filter(
        (p) => p.spec?.containers[0]?.image === 'registry.local/pull:bad',
      );
      expect(failing).toHaveLength(1);
      expect(failing[0]!.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ImagePullBackOff');
      return failing[0]!;
    });
    expect(stuck.status?.phase).toBe('Pending');
    expect(stuck.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe(
      'Back-off pulling image "registry.local/pull:bad"',
    );

    const timedOut = await eventually(async () => {
      const d = await read('pull');
      expect(condition(d, 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      });
      return d;
    }, 5_000);
    expect(timedOut.status).toMatchObject({ availableReplicas: 2, updatedReplicas: 1, replicas: 3 });
    expect(condition(timedOut, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    const log = await failure(
      k8s.core.readNamespacedPodLog({ name: stuck.metadata!.name!, namespace: 'pods' }),
    );
    expect(log).toMatchObject({
      code: 400,
      message: expect.stringContaining('is waiting to start: trying and failing to pull image'),
    });
  });

  it('shows CrashLoopBackOff with a growing restart count, and pods that never become ready', async () => {
    server.setPodBehaviour({ image: 'registry.local/crash:1', behaviour: 'crashLoopBackOff' });
    server.setPodBehaviour({ labels: { app: 'lazy' }, behaviour: 'unready' });
    await k8s.apply(deployment('pods', 'crash', 'registry.local/crash:1', { replicas: 1 }));
    await k8s.apply(deployment('pods', 'lazy', 'registry.local/lazy:1', { replicas: 1 }));
    await eventually(async () => {
      const [pod] = await pods('app=crash');
      const status = pod?.status?.containerStatuses?.[0];
      expect(status?.state?.waiting?.reason).toBe('CrashLoopBackOff');
      expect(status?.restartCount).toBeGreaterThanOrEqual(3);
      expect(status?.lastState?.terminated?.exitCode).toBe(1);
    });
    await eventually(async () => {
      const [pod] = await pods('app=lazy');
      expect(pod?.status?.phase).toBe('Running');
      expect(pod?.status?.containerStatuses?.[0]).toMatchObject({ ready: false, state: { running: {} } });
      expect(pod?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'ContainersNotReady',
      });
    });
    const lazy = await read('lazy');
    expect(lazy.status?.readyReplicas).toBeUndefined();
    expect(condition(lazy, 'Available')).toMatchObject({ status: 'False' });
  });

  it('scales through the scale subresource, and recreates a deleted pod', async () => {
    await k8s.apply(deployment('pods', 'scale', 'registry.local/scale:1', { replicas: 1 }));
    await eventually(async () => expect(await pods('app=scale')).toHaveLength(1));
    const scale = await k8s.apps.readNamespacedDeploymentScale({ name: 'scale', namespace: 'pods' });
    expect(scale.status?.selector).toBe('app=scale,aviary.dev/track=stable');
    await k8s.apps.replaceNamespacedDeploymentScale({
      name: 'scale',
      namespace: 'pods',
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'scale', namespace: 'pods' },
        spec: { replicas: 3 },
      },
    });
    await eventually(async () => expect((await read('scale')).status?.readyReplicas).toBe(3));
    const [victim] = await pods('app=scale');
    await k8s.core.deleteNamespacedPod({ name: victim!.metadata!.name!, namespace: 'pods' });
    await eventually(async () => {
      const now = await pods('app=scale');
      expect(now).toHaveLength(3);
      expect(now.map((p) => p.metadata?.name)).not.toContain(victim!.metadata!.name);
    });
  });

  it('serves pod logs, and follows them', async () => {
    await k8s.apply(deployment('pods', 'talk', 'registry.local/talk:1', { replicas: 1 }));
    const pod = await eventually(async () => {
      const [p] = await pods('app=talk');
      expect(p?.status?.containerStatuses?.[0]?.ready).toBe(true);
      return p!;
    });
    const name = pod.metadata!.name!;
    const text = await k8s.core.readNamespacedPodLog({ name, namespace: 'pods', tailLines: 1 });
    expect(text).toMatch(new RegExp(`^${name} says \\d+\\n$`));

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const finished = new Promise((resolve) => sink.on('finish', resolve));
    await new Log(k8s.config).log('pods', name, 'app', sink, { follow: true });
    await eventually(() => expect(lines.length).toBeGreaterThanOrEqual(5));
    // The stream ends when the pod goes. (Aborting client-node's follow instead leaves an unhandled
    // AbortError on its internal stream: a client-node quirk the deployer has to live with.)
    await k8s.apps.deleteNamespacedDeployment({ name: 'talk', namespace: 'pods' });
    await finished;
    expect(lines.slice(0, 3)).toEqual([`${name} says 0`, `${name} says 1`, `${name} says 2`]);
  });
});
