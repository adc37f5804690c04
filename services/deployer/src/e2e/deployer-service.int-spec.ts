import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Envelope,
  ExecutionCancelled,
  ExecutionFailed,
  ReleaseChanged,
  StageCommands,
  type StageCommandData,
} from '@aviary/events';
import { type KubeApiServer, startKubeApiServer } from '@aviary/kube-apiserver';
import { createJetStreamBus, type Bus } from '@aviary/messaging';
import { type RunningService, startService } from '@aviary/runtime';
import { eventually, eventuallyFound, isolatedServiceEnv } from '@aviary/test-support';
import { pino } from 'pino';
import { deployerService } from '../service.js';
import { ReleaseRow } from '../store/release.entity.js';

const commands = StageCommands.deployer;

/** The deployer on the bus (real NATS and PostgreSQL), deploying to the Kubernetes API test server. */
describe('the deployer service', () => {
  let kube: KubeApiServer;
  let service: RunningService;
  let client: Bus;
  const seen: Envelope[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  let executions = 0;

  beforeAll(async () => {
    kube = await startKubeApiServer({
      podReadyDelayMs: 20,
      namespaces: ['production', 'monitoring'],
      unreadyImages: /:never-ready$/,
    });
    const dir = mkdtempSync(join(tmpdir(), 'aviary-deployer-'));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, kube.kubeconfig);
    const isolated = await isolatedServiceEnv('dep');
    cleanups.push(() => isolated.cleanup(['deployer']));
    service = await startService(deployerService, {
      env: {
        ...isolated.env,
        DEPLOYER_TARGETS: JSON.stringify({
          '*': { kind: 'kubernetes', kubeconfig },
          local: { kind: 'local' },
        }),
        DEPLOYER_LOCAL_ROOT: join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'fixtures'),
        DEPLOYER_LEASE_MS: '3000',
        DEPLOYER_RETIRE_INTERVAL_MS: '200',
      },
    });
    client = createJetStreamBus({
      service: 'deployer-test',
      servers: isolated.natsUrl,
      ...isolated.names,
      logger: pino({ level: 'silent' }),
    });
    const feed = await client.client.subscribeEvents('aviary.evt.>');
    void (async () => {
      for await (const event of feed) seen.push(event.envelope);
    })();
    cleanups.push(() => Promise.resolve(feed.close()));
    await eventually(async () => {
      const health = await fetch(`${service.url}/health`);
      expect(health.status).toBe(200);
    }, 20_000);
  });

  afterAll(async () => {
    await service.close();
    await client.close();
    await kube.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  function command(
    stageType: string,
    settings: Record<string, unknown>,
    executionId?: string,
  ): StageCommandData {
    return {
      executionId: executionId ?? `exec-${++executions}-${Date.now()}`,
      stageId: stageType,
      attempt: 1,
      application: String(settings['application']),
      stageType,
      trigger: {
        kind: 'push',
        provider: 'github',
        repository: 'https://github.com/acme/shop',
        ref: 'refs/heads/main',
        branch: 'main',
        sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      },
      settings,
      inputs: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
  }
  const deploySettings = (app: string, image: string, extra: Record<string, unknown> = {}) => ({
    environment: 'production',
    namespace: 'production',
    application: app,
    image,
    strategy: 'rolling',
    env: { NODE_ENV: 'production' },
    overrides: {},
    keepPreviousFor: 0,
    steps: [25, 50, 100],
    stepPause: 0,
    dryRun: false,
    ...extra,
  });
  const canarySettings = (app: string, image: string, extra: Record<string, unknown> = {}) => ({
    environment: 'production',
    namespace: 'production',
    application: app,
    image,
    canaryReplicas: 1,
    baselineReplicas: 1,
    env: {},
    overrides: {},
    ...extra,
  });
  const stageEvents = (c: StageCommandData, kind: string) =>
    seen.filter(
      (e) =>
        e.type.endsWith(`stage.deployer.${kind}.v1`) &&
        (e.data as { executionId: string }).executionId === c.executionId &&
        (e.data as { stageId: string }).stageId === c.stageId,
    );
  const result = (c: StageCommandData) =>
    eventuallyFound(
      `the result of ${c.stageId}`,
      () => [...stageEvents(c, 'completed'), ...stageEvents(c, 'failed')][0],
      20_000,
    );
  const releaseStates = (c: StageCommandData) =>
    seen
      .filter((e) => e.type === ReleaseChanged.type)
      .map((e) => e.data as { releaseId: string; state: string })
      .filter((d) => d.releaseId === `${c.executionId}/${c.stageId}/1`)
      .map((d) => d.state);
  const deploymentsOf = (app: string) =>
    kube
      .objects('Deployment', 'production')
      .filter((d) => d.metadata.labels?.['app'] === app)
      .map((d) => d.metadata.name)
      .sort();

  async function deployed(app: string, image: string): Promise<void> {
    const deploy = command('deploy', deploySettings(app, image));
    await client.client.publish(commands.deploy, deploy);
    expect((await result(deploy)).type).toMatch(/completed/);
  }

  it('answers a deploy command with completed and its outputs; a duplicate does not deploy twice', async () => {
    const deploy = command('deploy', deploySettings('shop', 'registry.local/shop:1'));
    await client.client.publish(commands.deploy, deploy);
    const done = await result(deploy);
    expect(done.type).toMatch(/stage\.deployer\.completed\.v1$/);
    expect(done.data).toMatchObject({
      outputs: { image: 'registry.local/shop:1', previousImage: '', revision: '1' },
    });
    expect(stageEvents(deploy, 'started')).toHaveLength(1);
    expect(releaseStates(deploy)).toEqual(['requested', 'deploying', 'healthy']);
    expect(kube.get('Deployment', 'production', 'shop')?.metadata.generation).toBe(1);

    await client.client.publish(commands.deploy, deploy);
    const marker = command('deploy', deploySettings('marker', 'registry.local/marker:1'));
    await client.client.publish(commands.deploy, marker);
    await result(marker);
    expect(stageEvents(deploy, 'completed')).toHaveLength(1);
    expect(stageEvents(deploy, 'started')).toHaveLength(1);
    expect(releaseStates(deploy)).toEqual(['requested', 'deploying', 'healthy']);
    expect(kube.get('Deployment', 'production', 'shop')?.metadata.generation).toBe(1);
  });

  it('a command delivered again after its replica stopped before reporting gets its result', async () => {
    await deployed('stock', 'registry.local/stock:1');
    // A release that became healthy on a replica which stopped before it told the stage.
    const again = command('deploy', deploySettings('stock', 'registry.local/stock:1'));
    const id = `${again.executionId}/${again.stageId}/1`;
    const rows = service.database.dataSource.getRepository(ReleaseRow);
    const [first] = await rows.find({ where: { application: 'stock' } });
    await rows.insert({
      ...first!,
      id,
      release: { ...first!.release, id, executionId: again.executionId, result: undefined } as never,
      leaseUntil: null,
    });
    await client.client.publish(commands.deploy, again);
    expect((await result(again)).data).toMatchObject({
      outputs: { image: 'registry.local/stock:1', revision: '1' },
    });
    expect(kube.get('Deployment', 'production', 'stock')?.metadata.generation).toBe(1);
  });

  it('runs a canary, then promotes it: production takes the canary image, baseline and canary go', async () => {
    await deployed('cart', 'registry.local/cart:1');
    const executionId = `exec-canary-${Date.now()}`;
    const canary = command('canary-deploy', canarySettings('cart', 'registry.local/cart:2'), executionId);
    await client.client.publish(commands['canary-deploy'], canary);
    expect((await result(canary)).data).toMatchObject({
      outputs: {
        baselineImage: 'registry.local/cart:1',
        canaryImage: 'registry.local/cart:2',
        baselineScope: 'cart-baseline',
        canaryScope: 'cart-canary',
        location: 'production',
        // Prometheus finds pods on Kubernetes: no instance URLs to scrape directly.
        baselineTargets: [],
        canaryTargets: [],
      },
    });
    expect(deploymentsOf('cart')).toEqual(['cart', 'cart-baseline', 'cart-canary']);

    const promote = command(
      'promote',
      {
        environment: 'production',
        namespace: 'production',
        application: 'cart',
        image: 'registry.local/cart:2',
      },
      executionId,
    );
    await client.client.publish(commands.promote, promote);
    expect((await result(promote)).data).toMatchObject({
      outputs: { image: 'registry.local/cart:2', previousImage: 'registry.local/cart:1' },
    });
    expect(deploymentsOf('cart')).toEqual(['cart']);
    expect(releaseStates(canary)).toEqual(expect.arrayContaining(['healthy', 'promoting', 'promoted']));
  });

  it('cancel mid-rollout stops the wait, removes baseline and canary, and reports the stage failed', async () => {
    await deployed('till', 'registry.local/till:1');
    const canary = command('canary-deploy', canarySettings('till', 'registry.local/till:never-ready'));
    await client.client.publish(commands['canary-deploy'], canary);
    await eventually(() => expect(deploymentsOf('till')).toContain('till-canary'), 20_000);
    await client.client.publish(commands.cancel, { ...canary, reason: 'cancelled by alice' });
    const failed = await result(canary);
    expect(failed.data).toMatchObject({
      error: { code: 'cancelled', message: 'cancelled: cancelled by alice' },
    });
    expect(deploymentsOf('till')).toEqual(['till']);
    expect(releaseStates(canary)).toContain('aborted');
  });

  it('a cancel that reached another replica stops the rollout through the heartbeat', async () => {
    await deployed('menu-x', 'registry.local/menu-x:1');
    const canary = command('canary-deploy', canarySettings('menu-x', 'registry.local/menu-x:never-ready'));
    await client.client.publish(commands['canary-deploy'], canary);
    await eventually(() => expect(deploymentsOf('menu-x')).toContain('menu-x-canary'), 20_000);
    // What the cancel handler of another replica writes, since the rollout does not run there.
    await service.database.dataSource
      .getRepository(ReleaseRow)
      .update({ id: `${canary.executionId}/${canary.stageId}/1` }, { cancelReason: 'cancelled elsewhere' });
    expect((await result(canary)).data).toMatchObject({
      error: { code: 'cancelled', message: 'cancelled: cancelled elsewhere' },
    });
    expect(deploymentsOf('menu-x')).toEqual(['menu-x']);
  });

  it('an execution cancelled during its analysis leaves no baseline or canary running', async () => {
    await deployed('kiln', 'registry.local/kiln:1');
    const canary = command('canary-deploy', canarySettings('kiln', 'registry.local/kiln:2'));
    await client.client.publish(commands['canary-deploy'], canary);
    expect((await result(canary)).type).toMatch(/completed/);
    expect(deploymentsOf('kiln')).toEqual(['kiln', 'kiln-baseline', 'kiln-canary']);
    const { executionId, application, trigger } = canary;
    await client.client.publish(ExecutionCancelled, {
      executionId,
      application,
      pipeline: 'kiln',
      trigger,
      cancelledAt: new Date().toISOString(),
      cancelledBy: 'alice',
      reason: 'wrong build',
    });
    await eventually(() => expect(deploymentsOf('kiln')).toEqual(['kiln']), 20_000);
    expect(kube.get('Deployment', 'production', 'kiln')).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'registry.local/kiln:1' }] } } },
    });
    await eventually(() => expect(releaseStates(canary)).toContain('aborted'), 10_000);
  });

  it('a failed execution leaves what its rolling deploy released running', async () => {
    await deployed('quay', 'registry.local/quay:1');
    const plain = command('deploy', deploySettings('quay', 'registry.local/quay:2'));
    await client.client.publish(commands.deploy, plain);
    expect((await result(plain)).type).toMatch(/completed/);
    const { executionId, application, trigger } = plain;
    await client.client.publish(ExecutionFailed, {
      executionId,
      application,
      pipeline: 'quay',
      trigger,
      failedAt: new Date().toISOString(),
      durationMs: 1,
      reason: 'smoke test failed',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(deploymentsOf('quay')).toEqual(['quay']);
    expect(kube.get('Deployment', 'production', 'quay')).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'registry.local/quay:2' }] } } },
    });
  });

  it('blue-green: the kept Deployment is deleted once its time is over', async () => {
    await deployed('gate', 'registry.local/gate:1');
    const bg = command(
      'deploy',
      deploySettings('gate', 'registry.local/gate:2', { strategy: 'blue-green', keepPreviousFor: 1 }),
    );
    await client.client.publish(commands.deploy, bg);
    expect((await result(bg)).type).toMatch(/completed/);
    await eventually(() => expect(deploymentsOf('gate')).toEqual(['gate-alt']), 10_000);
  });

  it('answers a dry-run deploy with the diff, and changes nothing', async () => {
    await deployed('menu', 'registry.local/menu:1');
    const generation = kube.get('Deployment', 'production', 'menu')?.metadata.generation;
    const dry = command('deploy', deploySettings('menu', 'registry.local/menu:2', { dryRun: true }));
    await client.client.publish(commands.deploy, dry);
    const done = (await result(dry)).data as { outputs: { diff: Array<{ object: string; action: string }> } };
    expect(done.outputs).toMatchObject({
      image: 'registry.local/menu:2',
      previousImage: 'registry.local/menu:1',
    });
    expect(done.outputs.diff).toContainEqual(
      expect.objectContaining({ object: 'Deployment production/menu', action: 'update' }),
    );
    expect(kube.get('Deployment', 'production', 'menu')?.metadata.generation).toBe(generation);
  });

  it('fails a stage whose settings do not parse, saying which field', async () => {
    const bad = command('deploy', deploySettings('oops', 'registry.local/oops:1', { strategy: 'yolo' }));
    await client.client.publish(commands.deploy, bad);
    expect((await result(bad)).data).toMatchObject({
      error: { code: 'invalid-settings', retryable: false, message: expect.stringContaining('strategy') },
    });
  });

  // Last: it stops the service.
  it('deploys to a local target on the bus; the processes stop with the service', async () => {
    const deploy = command('deploy', {
      ...deploySettings('kiosk', 'v1', { replicas: 2 }),
      environment: 'local',
      namespace: 'local',
      local: { command: `${process.execPath} server.js`, directory: 'tiny-app' },
    });
    await client.client.publish(commands.deploy, deploy);
    const completed = (await result(deploy)).data as { outputs: Record<string, unknown> };
    expect(completed).toMatchObject({ outputs: { image: 'v1', revision: '1' } });
    const endpoint = seen
      .filter((e) => e.type === ReleaseChanged.type)
      .map((e) => e.data as { endpoint?: string; application: string })
      .find((d) => d.application === 'kiosk' && d.endpoint)?.endpoint;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The stage says it too, for the stages after it (a smoke test, a load generator).
    expect(completed.outputs['endpoint']).toBe(endpoint);
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const body = (await (await fetch(endpoint!)).json()) as { version: string; pid: number };
      expect(body.version).toBe('v1');
      pids.add(body.pid);
    }
    expect(pids.size).toBe(2);

    await service.close();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await eventually(() => expect([...pids].filter(alive)).toEqual([]));
  });
});
