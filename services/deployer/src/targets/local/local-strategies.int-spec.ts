import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@aviary/test-support';
import { DirectoryArtifactResolver } from '../../artifacts/artifact-resolver.js';
import { ReleaseRunner } from '../../release/release-runner.js';
import { type Release } from '../../release/release.js';
import { MemoryJournal, release as kubeRelease } from '../../testing/releases.js';
import { LocalTarget } from './local-target.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testing', 'fixtures');
const run = { command: `${process.execPath} server.js`, directory: 'tiny-app' };

/** Is a process still there? */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('strategies on the local provider (real processes behind the weighted proxy)', () => {
  let target: LocalTarget;
  let apps = 0;
  const seenPids = new Set<number>();

  beforeAll(() => {
    target = new LocalTarget({
      resolver: new DirectoryArtifactResolver(fixtures),
      baseEnv: { PATH: process.env['PATH'] ?? '' },
      probeIntervalMs: 20,
    });
  });
  afterAll(async () => {
    await target.close();
    // Every process the provider ever started is gone: no orphans.
    await eventually(() => expect([...seenPids].filter(alive)).toEqual([]));
  });

  const appName = (what: string) => `${what}-${++apps}`;
  const scope = (app: string) => ({ app, namespace: 'local' });
  const release = (app: string, image: string, extra: Parameters<typeof kubeRelease>[2] = {}): Release =>
    kubeRelease(app, image, { namespace: 'local', environment: 'local', local: run, ...extra });
  const runner = (journal = new MemoryJournal(), signal?: AbortSignal, deadlineMs = 15_000) =>
    new ReleaseRunner({
      target,
      defaults: {},
      journal,
      deadlineAt: Date.now() + deadlineMs,
      ...(signal ? { signal } : {}),
    });
  const processes = (app: string) => {
    const list = target.processes(scope(app));
    for (const p of list) if (p.pid) seenPids.add(p.pid);
    return list;
  };
  async function hit(app: string, count: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const body = (await (await fetch(target.endpoint(scope(app))!)).json()) as {
        version: string;
        track: string;
      };
      const key = `${body.track}:${body.version}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
  async function deployed(app: string, image: string, extra: Parameters<typeof kubeRelease>[2] = {}) {
    const r = release(app, image, extra);
    await runner().deploy(r);
    processes(app);
    return r;
  }

  it('rolling: starts one process per replica, serves the new version, stops the old processes', async () => {
    const app = appName('roll');
    const first = await deployed(app, 'v1', { options: { replicas: 2 } });
    expect(first.state).toBe('healthy');
    expect(await hit(app, 4)).toEqual({ 'stable:v1': 4 });
    const oldPids = processes(app).map((p) => p.pid!);
    expect(oldPids).toHaveLength(2);

    const second = await deployed(app, 'v2', { env: { FLAG: 'on' } });
    expect(await runner().deployOutputs(second)).toEqual({
      image: 'v2',
      previousImage: 'v1',
      revision: '2',
      endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(await hit(app, 4)).toEqual({ 'stable:v2': 4 });
    expect(processes(app).map((p) => p.image)).toEqual(['v2', 'v2']);
    await eventually(() => expect(oldPids.filter(alive)).toEqual([]));
  });

  it('rolling: a version that crashes fails with its exit and output; the old one keeps serving', async () => {
    const app = appName('crash');
    await deployed(app, 'v1');
    const journal = new MemoryJournal();
    const broken = release(app, 'v2', { env: { CRASH: '1' } });
    const error = await runner(journal)
      .deploy(broken)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/process exited with code 1: boom: CRASH=1/);
    expect(journal.states).toEqual(['deploying', 'failed']);
    expect(processes(app).map((p) => `${p.image}:${p.state}`)).toEqual(['v1:ready']);
    expect(await hit(app, 2)).toEqual({ 'stable:v1': 2 });
  });

  it('blue-green: switches to the new group, then removes the old one', async () => {
    const app = appName('bg');
    await deployed(app, 'v1', { options: { replicas: 2 } });
    const bg = await deployed(app, 'v2', { strategy: 'blue-green' });
    expect(bg.deployment).toBe(`${app}-alt`);
    expect(await hit(app, 4)).toEqual({ 'stable:v2': 4 });
    expect(processes(app).map((p) => p.group)).toEqual([`${app}-alt`, `${app}-alt`]);
  });

  it('blue-green: rollback while the old group is kept brings it back', async () => {
    const app = appName('bgback');
    await deployed(app, 'v1', { options: { replicas: 2 } });
    const bg = await deployed(app, 'v2', { strategy: 'blue-green', options: { keepPreviousForMs: 60_000 } });
    expect(processes(app).map((p) => p.image)).toEqual(['v2', 'v2']);
    await runner().rollback(bg);
    expect(bg.state).toBe('rolled-back');
    expect(await hit(app, 4)).toEqual({ 'stable:v1': 4 });
    expect(processes(app).map((p) => `${p.group}:${p.image}`)).toEqual([`${app}:v1`, `${app}:v1`]);
  });

  it('rolling red/black: moves replicas in steps', async () => {
    const app = appName('rrb');
    await deployed(app, 'v1', { options: { replicas: 2 } });
    const journal = new MemoryJournal();
    const rrb = release(app, 'v2', { strategy: 'rolling-red-black', options: { steps: [50, 100] } });
    await runner(journal).deploy(rrb);
    expect(journal.messages.filter((m) => m.startsWith('step'))).toEqual([
      'step 1: 50 % (1 of 2) healthy',
      'step 2: 100 % (2 of 2) healthy',
    ]);
    expect(processes(app).map((p) => `${p.group}:${p.image}`)).toEqual([`${app}-alt:v2`, `${app}-alt:v2`]);
  });

  it('canary by replica share, then by weight: the proxy gives each its share; promote removes both', async () => {
    const app = appName('canary');
    await deployed(app, 'v1', { options: { replicas: 2 }, env: { FLAG: 'old' } });
    const canary = await deployed(app, 'v2', { strategy: 'canary' });
    expect(canary.outputs).toMatchObject({
      baselineImage: 'v1',
      canaryImage: 'v2',
      canaryScope: `${app}-canary`,
    });
    // The instances' /metrics URLs, for the canary service's direct scrape: one per process.
    const targets = canary.outputs as { baselineTargets: string[]; canaryTargets: string[] };
    expect(targets.baselineTargets).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)]);
    expect(targets.canaryTargets).toHaveLength(1);
    const answer = async (url: string) =>
      (await (await fetch(url)).json()) as { track: string; version: string };
    expect(await answer(targets.baselineTargets[0]!)).toMatchObject({ track: 'baseline', version: 'v1' });
    expect(await answer(targets.canaryTargets[0]!)).toMatchObject({ track: 'canary', version: 'v2' });
    // 2 stable + 1 baseline + 1 canary: a quarter each for baseline and canary.
    const share = await hit(app, 400);
    expect(share['canary:v2']).toBe(100);
    expect(share['baseline:v1']).toBe(100);

    const weighted = await deployed(app, 'v3', { strategy: 'canary', options: { trafficPercent: 25 } });
    expect(weighted.state).toBe('healthy');
    const counts = await hit(app, 1000);
    expect(counts['canary:v3']).toBeGreaterThanOrEqual(225);
    expect(counts['canary:v3']).toBeLessThanOrEqual(275);
    expect(counts['baseline:v1']).toBeGreaterThanOrEqual(225);
    expect(counts['stable:v1']).toBeGreaterThanOrEqual(450);
    const before = processes(app)
      .filter((p) => p.track !== 'stable')
      .map((p) => p.pid!);

    await runner().promote(weighted);
    expect(weighted.state).toBe('promoted');
    expect(await hit(app, 4)).toEqual({ 'stable:v3': 4 });
    expect(processes(app).map((p) => p.track)).toEqual(['stable', 'stable']);
    await eventually(() => expect(before.filter(alive)).toEqual([]));
  });

  it('abort mid-rollout stops the wait and the canary processes; rollback leaves production as it was', async () => {
    const app = appName('abort');
    await deployed(app, 'v1');
    const controller = new AbortController();
    const journal = new MemoryJournal();
    const stuck = release(app, 'v2', { strategy: 'canary', env: { HEALTH: 'fail' } });
    const running = runner(journal, controller.signal)
      .deploy(stuck)
      .catch((e: unknown) => e);
    await eventually(() => expect(processes(app).some((p) => p.track === 'canary')).toBe(true));
    controller.abort('cancelled');
    expect(((await running) as Error).name).toBe('AbortedError');
    expect(journal.states).toEqual(['deploying', 'aborted']);
    expect(processes(app).map((p) => p.track)).toEqual(['stable']);

    const canary = await deployed(app, 'v3', { strategy: 'canary' });
    await runner().rollback(canary);
    expect(canary.state).toBe('rolled-back');
    expect(await hit(app, 3)).toEqual({ 'stable:v1': 3 });
  });

  it('a canary that never passes its health check fails with what /health answered', async () => {
    const app = appName('unready');
    await deployed(app, 'v1');
    const stuck = release(app, 'v2', { strategy: 'canary', env: { HEALTH: 'fail' } });
    const journal = new MemoryJournal();
    const error = await runner(journal, undefined, 800)
      .deploy(stuck)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/readiness failing: \/health answered 503/);
    expect(processes(app).map((p) => p.track)).toEqual(['stable']);
    // Said once while it stays so, not at every probe (each is an event on the bus).
    expect(journal.messages.filter((m) => m.endsWith('processes healthy'))).toEqual([
      `${app}-baseline: 0 of 1 processes healthy`,
      `${app}-canary: 0 of 1 processes healthy`,
    ]);
  });
});

describe('replacing a version on the local provider', () => {
  it('is done once the old processes are told to stop; shutdown still waits until they are gone', async () => {
    const target = new LocalTarget({
      resolver: new DirectoryArtifactResolver(fixtures),
      baseEnv: { PATH: process.env['PATH'] ?? '' },
    });
    const deploy = (image: string, env: Record<string, string> = {}) =>
      new ReleaseRunner({
        target,
        defaults: {},
        journal: new MemoryJournal(),
        deadlineAt: Date.now() + 15_000,
      }).deploy(
        kubeRelease('draining', image, { namespace: 'local', environment: 'local', local: run, env }),
      );
    try {
      await deploy('v1', { EXIT_DELAY_MS: '2500' });
      const old = target.processes({ app: 'draining', namespace: 'local' }).map((p) => p.pid!);
      await deploy('v2');
      expect(target.processes({ app: 'draining', namespace: 'local' }).map((p) => p.image)).toEqual(['v2']);
      // Still draining: the rollout did not wait for it.
      expect(old.filter(alive)).toEqual(old);
      await target.close();
      expect(old.filter(alive)).toEqual([]);
    } finally {
      await target.close();
    }
  });
});
