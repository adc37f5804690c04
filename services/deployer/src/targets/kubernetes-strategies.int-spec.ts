import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type KubeApiServer } from '@aviary/kube-apiserver';
import { eventually } from '@aviary/test-support';
import { RolloutFailedError } from '../kube/rollout-tracker.js';
import { ManifestInvalidError } from '../manifests/validate.js';
import { ReleaseRunner } from '../release/release-runner.js';
import { type Release } from '../release/release.js';
import { startCluster } from '../testing/kube-harness.js';
import { MemoryJournal, release } from '../testing/releases.js';
import { type KubernetesTarget } from './kubernetes-target.js';

type Obj = {
  spec?: Record<string, unknown>;
  metadata: { name?: string; annotations?: Record<string, string> };
};

describe('strategies on Kubernetes (the API test server)', () => {
  let server: KubeApiServer;
  let target: KubernetesTarget;
  let apps = 0;

  beforeAll(async () => {
    ({ server, target } = await startCluster({
      failingImages: /:pull-fails$/,
      crashingImages: /:crashes$/,
      unreadyImages: /:never-ready$/,
    }));
  });
  afterAll(() => server.close());

  const appName = (what: string) => `${what}-${++apps}`;
  const runner = (journal = new MemoryJournal(), signal?: AbortSignal, deadlineMs = 20_000) =>
    new ReleaseRunner({
      target,
      defaults: { ingressHost: 'api.example.test' },
      journal,
      deadlineAt: Date.now() + deadlineMs,
      ...(signal ? { signal } : {}),
    });
  const deployments = (app: string) =>
    server
      .objects('Deployment', 'production')
      .filter((d) => d.metadata.labels?.['app'] === app)
      .map((d) => d.metadata.name)
      .sort();
  const get = (kind: string, name: string, namespace = 'production') =>
    server.get(kind, namespace, name) as Obj | undefined;
  const image = (name: string) =>
    (get('Deployment', name)?.spec?.['template'] as { spec: { containers: Array<{ image: string }> } })?.spec
      .containers[0]?.image;
  const replicas = (name: string) => get('Deployment', name)?.spec?.['replicas'];
  const selector = (name: string) => get('Service', name)?.spec?.['selector'];
  const stablePods = (app: string) =>
    server
      .objects('Pod', 'production')
      .filter(
        (p) => p.metadata.labels?.['app'] === app && p.metadata.labels?.['aviary.dev/track'] === 'stable',
      );

  async function deployed(
    app: string,
    img: string,
    extra: Parameters<typeof release>[2] = {},
  ): Promise<Release> {
    const r = release(app, img, extra);
    await runner().deploy(r);
    return r;
  }

  it('rolling: applies the five objects, waits healthy, and rolls a new image in place', async () => {
    const app = appName('roll');
    const journal = new MemoryJournal();
    const first = release(app, 'registry.local/roll:1', { options: { replicas: 2 } });
    await runner(journal).deploy(first);
    expect(journal.states).toEqual(['deploying', 'healthy']);
    expect(deployments(app)).toEqual([app]);
    for (const kind of ['Service', 'HorizontalPodAutoscaler', 'Ingress'])
      expect(get(kind, app)).toBeDefined();
    expect(get('ServiceMonitor', app, 'monitoring')).toBeDefined();
    expect(await runner().deployOutputs(first)).toEqual({
      image: 'registry.local/roll:1',
      previousImage: '',
      revision: '1',
    });

    const second = release(app, 'registry.local/roll:2', { env: { NODE_ENV: 'production', FLAG: 'on' } });
    await runner().deploy(second);
    expect(second.previous).toMatchObject({ deployment: app, image: 'registry.local/roll:1', replicas: 2 });
    expect(await runner().deployOutputs(second)).toEqual({
      image: 'registry.local/roll:2',
      previousImage: 'registry.local/roll:1',
      revision: '2',
    });
    expect(
      stablePods(app).map((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image),
    ).toEqual(['registry.local/roll:2', 'registry.local/roll:2']);
  });

  it('rolling: an image that cannot be pulled fails with ImagePullBackOff and production is restored', async () => {
    const app = appName('pull');
    await deployed(app, 'registry.local/pull:1', {
      overrides: { progressDeadlineSeconds: 1, autoscaling: { enabled: false } },
    });
    const journal = new MemoryJournal();
    const broken = release(app, 'registry.local/pull:pull-fails', {
      overrides: { progressDeadlineSeconds: 1, autoscaling: { enabled: false } },
    });
    const error = await runner(journal)
      .deploy(broken)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutFailedError);
    expect((error as Error).message).toMatch(
      /ImagePullBackOff: Back-off pulling image "registry.local\/pull:pull-fails"/,
    );
    expect(journal.states).toEqual(['deploying', 'failed']);
    expect(image(app)).toBe('registry.local/pull:1');
    await eventually(() =>
      expect(
        stablePods(app).map((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]!.image),
      ).toEqual(['registry.local/pull:1']),
    );
    // The failure is behind us: the next release starts and succeeds.
    const fixed = await deployed(app, 'registry.local/pull:2', {
      overrides: { progressDeadlineSeconds: 1, autoscaling: { enabled: false } },
    });
    expect(fixed.state).toBe('healthy');
    expect(fixed.previous?.image).toBe('registry.local/pull:1');
    expect(image(app)).toBe('registry.local/pull:2');
  });

  it('blue-green: a new Deployment beside the old, the Service switched, the old one scaled down then deleted', async () => {
    const app = appName('bg');
    await deployed(app, 'registry.local/bg:1', { options: { replicas: 2 } });
    const bg = release(app, 'registry.local/bg:2', {
      strategy: 'blue-green',
      options: { keepPreviousForMs: 60_000 },
    });
    await runner().deploy(bg);
    expect(deployments(app)).toEqual([app, `${app}-alt`]);
    expect(image(`${app}-alt`)).toBe('registry.local/bg:2');
    expect(replicas(`${app}-alt`)).toBe(2);
    expect(replicas(app)).toBe(0);
    expect(selector(app)).toEqual({ app });
    expect(get('HorizontalPodAutoscaler', app)?.spec?.['scaleTargetRef']).toMatchObject({
      name: `${app}-alt`,
    });
    expect(bg.retire).toMatchObject({ deployment: app });
    expect(await runner().deployOutputs(bg)).toMatchObject({ previousImage: 'registry.local/bg:1' });

    await runner().retire(bg);
    expect(deployments(app)).toEqual([`${app}-alt`]);
    const next = await deployed(app, 'registry.local/bg:3', { strategy: 'blue-green' });
    expect(next.deployment).toBe(app);
    expect(deployments(app)).toEqual([app]);
  });

  it('blue-green: rollback while the old Deployment is kept brings it back at once', async () => {
    const app = appName('bgback');
    await deployed(app, 'registry.local/bgback:1', { options: { replicas: 2 } });
    const bg = await deployed(app, 'registry.local/bgback:2', {
      strategy: 'blue-green',
      options: { keepPreviousForMs: 60_000 },
    });
    expect(replicas(app)).toBe(0);
    const journal = new MemoryJournal();
    await runner(journal).rollback(bg);
    expect(journal.states).toEqual(['rolling-back', 'rolled-back']);
    expect(deployments(app)).toEqual([app]);
    expect(replicas(app)).toBe(2);
    expect(image(app)).toBe('registry.local/bgback:1');
    expect(selector(app)).toEqual({ app });
    expect(get('HorizontalPodAutoscaler', app)?.spec?.['scaleTargetRef']).toMatchObject({ name: app });
    expect(bg.outputs).toEqual({ image: 'registry.local/bgback:1' });
    expect(bg.retire).toBeUndefined();
  });

  it('blue-green: a new version that never becomes ready leaves the old one serving', async () => {
    const app = appName('bgfail');
    await deployed(app, 'registry.local/bgfail:1', { overrides: { progressDeadlineSeconds: 1 } });
    const journal = new MemoryJournal();
    const bg = release(app, 'registry.local/bgfail:never-ready', {
      strategy: 'blue-green',
      overrides: { progressDeadlineSeconds: 1 },
    });
    const error = await runner(journal)
      .deploy(bg)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/readiness probe failing/);
    expect(journal.states).toEqual(['deploying', 'failed']);
    expect(deployments(app)).toEqual([app]);
    expect(selector(app)).toEqual({ app });
  });

  it('rolling red/black: moves replicas in steps with a health check between, then deletes the old', async () => {
    const app = appName('rrb');
    const overrides = { autoscaling: { enabled: false } };
    await deployed(app, 'registry.local/rrb:1', { overrides, options: { replicas: 4 } });
    const journal = new MemoryJournal();
    const rrb = release(app, 'registry.local/rrb:2', {
      strategy: 'rolling-red-black',
      overrides,
      options: { steps: [25, 50, 100] },
    });
    await runner(journal).deploy(rrb);
    expect(journal.messages.filter((m) => m.startsWith('step'))).toEqual([
      'step 1: 25 % (1 of 4) healthy',
      'step 2: 50 % (2 of 4) healthy',
      'step 3: 100 % (4 of 4) healthy',
    ]);
    expect(deployments(app)).toEqual([`${app}-alt`]);
    expect(replicas(`${app}-alt`)).toBe(4);
  });

  it('canary: baseline with production image and env, canary with the new image; promote keeps production size', async () => {
    const app = appName('can');
    await deployed(app, 'registry.local/can:1', {
      env: { NODE_ENV: 'production', OLD: '1' },
      overrides: { autoscaling: { minReplicas: 3 } },
    });
    await eventually(() => expect(replicas(app)).toBe(3));
    const canary = release(app, 'registry.local/can:2', {
      strategy: 'canary',
      overrides: { autoscaling: { minReplicas: 3 } },
    });
    await runner().deploy(canary);
    expect(deployments(app)).toEqual([app, `${app}-baseline`, `${app}-canary`]);
    expect(image(`${app}-baseline`)).toBe('registry.local/can:1');
    expect(image(`${app}-canary`)).toBe('registry.local/can:2');
    const baselineEnv = (
      get('Deployment', `${app}-baseline`)?.spec?.['template'] as {
        spec: { containers: Array<{ env: unknown }> };
      }
    ).spec.containers[0]!.env;
    expect(baselineEnv).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'OLD', value: '1' },
    ]);
    expect(canary.outputs).toEqual({
      baselineImage: 'registry.local/can:1',
      canaryImage: 'registry.local/can:2',
      baselineScope: `${app}-baseline`,
      canaryScope: `${app}-canary`,
      location: 'production',
      // Prometheus finds the pods on Kubernetes; only the local provider lists scrape targets.
      baselineTargets: [],
      canaryTargets: [],
    });
    expect(selector(app)).toEqual({ app });

    const journal = new MemoryJournal();
    await runner(journal).promote(canary);
    expect(journal.states).toEqual(['promoting', 'promoted']);
    expect(deployments(app)).toEqual([app]);
    expect(image(app)).toBe('registry.local/can:2');
    expect(replicas(app)).toBe(3);
    expect(canary.outputs).toEqual({ image: 'registry.local/can:2', previousImage: 'registry.local/can:1' });
  });

  it('canary by ingress weight; rollback removes both and leaves production as it was', async () => {
    const app = appName('weight');
    await deployed(app, 'registry.local/weight:1');
    const before = get('Deployment', app)?.metadata;
    const canary = release(app, 'registry.local/weight:2', {
      strategy: 'canary',
      options: { trafficPercent: 10 },
    });
    await runner().deploy(canary);
    expect(selector(app)).toEqual({ app, 'aviary.dev/track': 'stable' });
    expect(selector(`${app}-canary`)).toEqual({ app, 'aviary.dev/analysis': 'true' });
    expect(get('Ingress', `${app}-canary`)?.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
    });

    const journal = new MemoryJournal();
    await runner(journal).rollback(canary);
    expect(journal.states).toEqual(['rolling-back', 'rolled-back']);
    expect(deployments(app)).toEqual([app]);
    expect(get('Ingress', `${app}-canary`)).toBeUndefined();
    expect(get('Service', `${app}-canary`)).toBeUndefined();
    expect(selector(app)).toEqual({ app });
    expect(get('Deployment', app)?.metadata).toMatchObject({ annotations: before?.annotations });
    expect(image(app)).toBe('registry.local/weight:1');
    expect(canary.outputs).toEqual({ image: 'registry.local/weight:1' });
  });

  it('canary: a crashing canary fails with CrashLoopBackOff and both are removed', async () => {
    const app = appName('crash');
    await deployed(app, 'registry.local/crash:1');
    const journal = new MemoryJournal();
    const canary = release(app, 'registry.local/crash:crashes', { strategy: 'canary' });
    const error = await runner(journal, undefined, 1_500)
      .deploy(canary)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/CrashLoopBackOff after \d+ restarts/);
    expect(journal.states).toEqual(['deploying', 'failed']);
    expect(deployments(app)).toEqual([app]);
  });

  it('abort mid-rollout stops the wait and cleans up; a new release after it starts', async () => {
    const app = appName('abort');
    await deployed(app, 'registry.local/abort:1');
    const controller = new AbortController();
    const journal = new MemoryJournal();
    const canary = release(app, 'registry.local/abort:never-ready', { strategy: 'canary' });
    const running = runner(journal, controller.signal)
      .deploy(canary)
      .catch((e: unknown) => e);
    await eventually(() => expect(deployments(app)).toContain(`${app}-canary`));
    controller.abort('cancelled by a person');
    expect(((await running) as Error).name).toBe('AbortedError');
    expect(journal.states).toEqual(['deploying', 'aborted']);
    expect(canary.reason).toBe('cancelled by a person');
    expect(deployments(app)).toEqual([app]);

    const again = release(app, 'registry.local/abort:2', { strategy: 'canary' });
    await runner().deploy(again);
    expect(again.state).toBe('healthy');
    await runner().abort(again, 'superseded');
    expect(again.state).toBe('aborted');
    expect(deployments(app)).toEqual([app]);
  });

  it('an object the official schema refuses fails the release with the schema error, and nothing is sent', async () => {
    const app = appName('invalid');
    const journal = new MemoryJournal();
    const broken = release(app, 'registry.local/invalid:1', {
      overrides: { labels: { team: 7 as unknown as string } },
    });
    const error = await runner(journal)
      .deploy(broken)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect((error as Error).message).toMatch(
      /^(Service|Deployment) production\/invalid-\d+ is invalid: metadata\.labels\.team: must be string/,
    );
    expect(journal.states).toEqual(['deploying', 'failed']);
    expect(deployments(app)).toEqual([]);
    expect(get('Service', app)).toBeUndefined();
  });

  it('survives 5xx bursts, dropped watches and slow answers', async () => {
    const app = appName('faults');
    server.faults.failNext(3, { method: 'PATCH', status: 503 });
    server.faults.failNext(2, { method: 'GET', path: `/deployments/${app}`, status: 500 });
    server.faults.dropWatches({ afterEvents: 1, path: 'watch' });
    server.faults.slow(50, { path: app });
    try {
      const r = release(app, 'registry.local/faults:1', { options: { replicas: 3 } });
      await runner().deploy(r);
      expect(r.state).toBe('healthy');
      expect(replicas(app)).toBe(3);
    } finally {
      server.faults.reset();
    }
  });

  it('dry-run returns the diff a deploy would make and changes nothing', async () => {
    const app = appName('dry');
    const first = await deployed(app, 'registry.local/dry:1');
    const resourceVersion = server.resourceVersion();
    const next = release(app, 'registry.local/dry:2');
    const r = runner();
    const diffs = await target.dryRun(
      r.appInput(next),
      {
        ...r.appInput(next),
        name: app,
        track: 'stable',
        image: 'registry.local/dry:2',
        env: next.env,
        replicas: 2,
        releaseId: next.id,
      },
      { kind: 'all' },
    );
    expect(server.resourceVersion()).toBe(resourceVersion);
    const deployment = diffs.find((d) => d.object === `Deployment production/${app}`)!;
    expect(deployment.action).toBe('update');
    expect(deployment.changes).toContainEqual({
      op: 'replace',
      path: '/spec/template/spec/containers/0/image',
      from: 'registry.local/dry:1',
      to: 'registry.local/dry:2',
    });
    expect(diffs.find((d) => d.object === `Service production/${app}`)?.action).toBe('unchanged');
    expect(first.state).toBe('healthy');
  });
});
