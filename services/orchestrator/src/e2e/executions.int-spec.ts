import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stageOutputs, type StageType } from '@aviary/pipeline-spec';
import { startService, type RunningService } from '@aviary/runtime';
import { eventually } from '@aviary/test-support';
import { orchestratorService } from '../service.js';
import {
  Client,
  SHA,
  statuses,
  testEnvironment,
  uniqueApplication,
  type TestEnvironment,
} from '../testing/environment.js';
import { startStubWorkers, type Reply, type SeenCommand, type StubWorkers } from '../testing/stub-workers.js';

/**
 * The orchestrator on real NATS and PostgreSQL with every worker stubbed: pipelines read from
 * `.aviary/pipeline.yaml` through the builder's file query, stages dispatched and advanced on the
 * workers' results.
 */
describe('executions end to end', () => {
  let environment: TestEnvironment;
  let stubs: StubWorkers;
  let orchestrator: RunningService;
  let client: Client;

  beforeAll(async () => {
    environment = await testEnvironment();
    stubs = await startStubWorkers(environment);
    orchestrator = await startService(orchestratorService, { env: environment.env });
    await eventually(
      async () => expect((await fetch(`${orchestrator.url}/health`)).status).toBe(200),
      30_000,
      50,
    );
    client = new Client(stubs.busClient);
  }, 60_000);

  afterAll(async () => {
    await orchestrator?.close();
    await stubs?.close();
    await environment?.dispose();
  });

  /** A new application with this pipeline file, whose workers answer with `behaviour`. */
  function application(
    prefix: string,
    yaml: (name: string) => string,
    behaviour?: (c: SeenCommand) => Reply,
  ): string {
    const name = uniqueApplication(prefix);
    stubs.files.set(name, yaml(name));
    if (behaviour) stubs.on(name, behaviour);
    return name;
  }

  async function run(app: string, branch = 'main'): Promise<string> {
    const before = (await client.list({ application: app })).total;
    await client.push(app, branch);
    return client.executionOf(app, before);
  }

  const commandsOf = (id: string) => stubs.stageCommands(id).map((c) => `${c.stageId}#${c.attempt}`);

  describe('the node-service preset with a canary', () => {
    const OUTPUTS: Record<string, Record<string, unknown>> = {
      test: { coverageReport: 'artifacts/coverage.info' },
      build: { imageUrl: 'registry.local/orders:a94a8fe', imageDigest: 'sha256:1', tag: 'a94a8fe' },
      'canary-deploy': {
        baselineImage: 'registry.local/orders:old',
        canaryImage: 'registry.local/orders:a94a8fe',
        baselineScope: 'orders-baseline',
        canaryScope: 'orders-canary',
        location: 'production',
      },
    };
    /** Every output the stage type declares (a placeholder value), and the ones the test looks at. */
    const outputsOf = (c: SeenCommand): Record<string, unknown> => {
      const { stageType, settings } = c.data as { stageType: StageType; settings: Record<string, unknown> };
      const declared = stageOutputs(stageType, settings).map((name): [string, string] => [
        name,
        `${c.stageId}-${name}`,
      ]);
      return { ...Object.fromEntries<string>(declared), ...OUTPUTS[c.stageId] };
    };
    const preset = (name: string) =>
      `preset: node-service\nname: ${name}\ncanaryEnabled: true\nnotifications: { channels: ['slack:#${name}'] }\n`;

    it('runs every stage on main, passing outputs along, and promotes', async () => {
      const app = application('preset', preset, (c) => ({
        kind: 'succeed',
        outputs: c.stageId === 'canary-analysis' ? { score: 97, verdict: 'pass' } : outputsOf(c),
      }));
      const id = await run(app);
      const done = await client.ended(id);
      expect(done.status).toBe('SUCCEEDED');
      expect(statuses(done)).toEqual({
        checkout: 'SUCCEEDED',
        install: 'SUCCEEDED',
        lint: 'SUCCEEDED',
        test: 'SUCCEEDED',
        'quality-scan': 'SUCCEEDED',
        'quality-gate': 'SUCCEEDED',
        build: 'SUCCEEDED',
        'deploy-homolog': 'SUCCEEDED',
        'canary-deploy': 'SUCCEEDED',
        'canary-analysis': 'SUCCEEDED',
        'check-precondition': 'SUCCEEDED',
        promote: 'SUCCEEDED',
        rollback: 'SKIPPED',
        notify: 'SUCCEEDED',
      });
      const sent = stubs.stageCommands(id);
      const byStage = new Map(sent.map((c) => [c.stageId, c]));
      expect(byStage.get('deploy-homolog')?.data).toMatchObject({
        settings: { image: 'registry.local/orders:a94a8fe', environment: 'homolog' },
        inputs: { 'build.imageUrl': 'registry.local/orders:a94a8fe' },
        trigger: { sha: SHA, branch: 'main' },
      });
      expect(byStage.get('canary-analysis')?.data).toMatchObject({
        settings: { baselineScope: 'orders-baseline', canaryScope: 'orders-canary' },
      });
      expect(byStage.get('promote')?.data).toMatchObject({
        settings: { image: 'registry.local/orders:a94a8fe' },
      });
      // lint and test run side by side after install, and the quality scan joins them.
      const order = sent.map((c) => c.stageId);
      expect(order.indexOf('lint')).toBeGreaterThan(order.indexOf('install'));
      expect(order.indexOf('test')).toBeGreaterThan(order.indexOf('install'));
      expect(order.indexOf('quality-scan')).toBeGreaterThan(
        Math.max(order.indexOf('lint'), order.indexOf('test')),
      );
      expect(order.at(-1)).toBe('notify');
      expect(sent.map((c) => c.subject).filter((s) => s.includes('.cmd.'))).toHaveLength(12);
      await eventually(() =>
        expect(stubs.eventsOf(id).map((e) => e.subject)).toEqual(
          expect.arrayContaining([
            'aviary.evt.execution.created.v1',
            'aviary.evt.execution.started.v1',
            'aviary.evt.execution.stage-changed.v1',
            'aviary.evt.execution.completed.v1',
          ]),
        ),
      );
      // The notifier learns the file's notifications from the created event.
      expect(stubs.eventsOf(id, 'aviary.evt.execution.created.v1')[0]?.data).toMatchObject({
        notifications: { channels: [expect.stringMatching(/^slack:#/)] },
      });
    }, 30_000);

    it('skips the production stages on another branch', async () => {
      const app = application('preset', preset, (c) => ({
        kind: 'succeed',
        outputs: outputsOf(c),
      }));
      const done = await client.ended(await run(app, 'feature/login'));
      expect(done.status).toBe('SUCCEEDED');
      expect(statuses(done)).toMatchObject({
        'quality-scan': 'SKIPPED',
        build: 'SUCCEEDED',
        'deploy-homolog': 'SUCCEEDED',
        'canary-deploy': 'SKIPPED',
        promote: 'SKIPPED',
        rollback: 'SKIPPED',
        notify: 'SUCCEEDED',
      });
      expect(done.stages.find((s) => s.stageId === 'canary-deploy')?.reason).toBe(
        'branch feature/login is not one of main',
      );
    }, 30_000);

    it('rolls back when the canary analysis fails, then notifies, and the execution fails', async () => {
      const app = application('preset', preset, (c) =>
        c.stageId === 'canary-analysis'
          ? { kind: 'fail', message: 'canary scored 41 < 75' }
          : { kind: 'succeed', outputs: outputsOf(c) },
      );
      const done = await client.ended(await run(app));
      expect(done.status).toBe('FAILED');
      expect(statuses(done)).toMatchObject({
        'canary-analysis': 'FAILED',
        'check-precondition': 'FAILED',
        promote: 'SKIPPED',
        rollback: 'SUCCEEDED',
        notify: 'SUCCEEDED',
      });
      expect(done.reason).toBe('stage canary-analysis failed: canary scored 41 < 75');
      const rollback = stubs.stageCommands(done.executionId).find((c) => c.stageId === 'rollback');
      expect(rollback?.data).toMatchObject({ settings: { image: 'registry.local/orders:old' } });
    }, 30_000);
  });

  it('starts parallel branches together and joins them', async () => {
    const app = application(
      'parallel',
      (name) => `name: ${name}
stages:
  - { id: a, type: run, command: a }
  - { id: slow, type: run, command: b, dependsOn: [a] }
  - { id: quick, type: run, command: c, dependsOn: [a] }
  - { id: join, type: run, command: d, dependsOn: [slow, quick] }
`,
      (c) => ({ kind: 'succeed', delayMs: c.stageId === 'slow' ? 400 : 0 }),
    );
    const id = await run(app);
    const done = await client.ended(id);
    expect(done.status).toBe('SUCCEEDED');
    const at = new Map(stubs.stageCommands(id).map((c) => [c.stageId, c.at]));
    const ended = new Map(done.stages.map((s) => [s.stageId, Date.parse(s.endedAt!)]));
    expect(at.get('quick')!).toBeLessThan(ended.get('slow')!);
    expect(at.get('slow')!).toBeLessThan(ended.get('quick')! + 50);
    expect(at.get('join')!).toBeGreaterThanOrEqual(ended.get('slow')!);
  }, 30_000);

  it('retries with a growing backoff, one command per attempt', async () => {
    const app = application(
      'retry',
      (name) => `name: ${name}
stages:
  - id: flaky
    type: run
    command: npm test
    retries: { count: 3, backoff: 150ms, factor: 2 }
`,
      (c) => (c.attempt < 3 ? { kind: 'fail', message: `flake ${c.attempt}` } : { kind: 'succeed' }),
    );
    const id = await run(app);
    const done = await client.ended(id);
    expect(done.status).toBe('SUCCEEDED');
    const flaky = done.stages[0]!;
    expect(flaky.attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, 'FAILED', 'flake 1'],
      [2, 'FAILED', 'flake 2'],
      [3, 'SUCCEEDED', undefined],
    ]);
    expect(commandsOf(id)).toEqual(['flaky#1', 'flaky#2', 'flaky#3']);
    const [first, second, third] = flaky.attempts.map((a) => Date.parse(a.dispatchedAt));
    expect(second! - first!).toBeGreaterThanOrEqual(150);
    expect(third! - second!).toBeGreaterThanOrEqual(300);
  }, 30_000);

  it('times a stage out when its worker died, and tells the worker to stop', async () => {
    const app = application(
      'timeout',
      (name) => `name: ${name}
stages:
  - { id: deploy, type: deploy, environment: homolog, image: x, timeout: 1s }
`,
      () => ({ kind: 'hang' }),
    );
    const id = await run(app);
    const done = await client.ended(id);
    expect(done.status).toBe('FAILED');
    expect(done.reason).toBe('stage deploy failed: timed out after 1s');
    await eventually(() =>
      expect(stubs.cancels(id).map((c) => [c.subject, c.attempt, c.data['reason']])).toEqual([
        ['aviary.cmd.deployer.cancel.v1', 1, 'timed out after 1s'],
      ]),
    );
  }, 30_000);

  describe('onFailure', () => {
    it('ignore: the stage is FAILED_CONTINUE and the pipeline goes on', async () => {
      const app = application(
        'ignore',
        (name) => `name: ${name}
stages:
  - { id: lint, type: run, command: lint, onFailure: ignore }
  - { id: build, type: build-image, repository: r }
`,
        (c) => (c.stageId === 'lint' ? { kind: 'fail', message: '3 warnings' } : { kind: 'succeed' }),
      );
      const done = await client.ended(await run(app));
      expect(done.status).toBe('SUCCEEDED');
      expect(statuses(done)).toEqual({ lint: 'FAILED_CONTINUE', build: 'SUCCEEDED' });
    }, 30_000);

    it('rollback: the rollback stages run and the execution fails', async () => {
      const app = application(
        'rollback',
        (name) => `name: ${name}
stages:
  - { id: deploy, type: deploy, environment: production, image: x, onFailure: rollback }
  - { id: smoke, type: run, command: smoke }
  - { id: undo, type: rollback, environment: production, dependsOn: [smoke] }
`,
        (c) => (c.stageId === 'deploy' ? { kind: 'fail', message: 'pods crash' } : { kind: 'succeed' }),
      );
      const id = await run(app);
      const done = await client.ended(id);
      expect(done.status).toBe('FAILED');
      expect(statuses(done)).toEqual({ deploy: 'FAILED', smoke: 'SKIPPED', undo: 'SUCCEEDED' });
      expect(commandsOf(id)).toEqual(['deploy#1', 'undo#1']);
    }, 30_000);

    it('pause-and-notify: the execution pauses, people are told, and a restart resumes it', async () => {
      const app = application(
        'pause',
        (name) => `name: ${name}
stages:
  - { id: migrate, type: run, command: migrate, onFailure: pause-and-notify }
  - { id: deploy, type: deploy, environment: homolog, image: x }
`,
        (c) =>
          c.stageId === 'migrate' && c.attempt === 1
            ? { kind: 'fail', message: 'lock timeout' }
            : { kind: 'succeed' },
      );
      const id = await run(app);
      const paused = await client.until(id, (e) => expect(e.status).toBe('PAUSED'));
      expect(statuses(paused)).toEqual({ migrate: 'PAUSED', deploy: 'NOT_STARTED' });
      await eventually(() => {
        const told = stubs.commands.find(
          (c) => c.executionId === id && c.subject === 'aviary.cmd.notifier.notify.v1',
        );
        expect(told?.data).toMatchObject({ severity: 'warning', stageId: 'migrate', application: app });
        expect(stubs.eventsOf(id, 'aviary.evt.execution.paused.v1')).toHaveLength(1);
      });
      await client.restart(id, 'migrate', 'carol');
      const done = await client.ended(id);
      expect(done.status).toBe('SUCCEEDED');
      expect(commandsOf(id)).toEqual(['migrate#1', 'migrate#2', 'deploy#1']);
      expect(done.history).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor: 'carol', action: 'stage', stageId: 'migrate', to: 'NOT_STARTED' }),
        ]),
      );
    }, 30_000);
  });

  describe('a manual judgment', () => {
    const judged =
      (timeout = '10m') =>
      (name: string) => `name: ${name}
stages:
  - { id: approve, type: manual-judgment, instructions: Check homolog, roles: [lead], timeout: ${timeout} }
  - { id: promote, type: promote, environment: production }
`;

    it('pauses, asks, and resumes on approval with who and why', async () => {
      const app = application('judge', judged());
      const id = await run(app);
      await client.until(id, (e) => expect(e.status).toBe('PAUSED'));
      await eventually(() =>
        expect(stubs.eventsOf(id, 'aviary.evt.judgment.requested.v1')[0]?.data).toMatchObject({
          stageId: 'approve',
          instructions: 'Check homolog',
          allowedRoles: ['lead'],
        }),
      );
      await client.judge(id, 'approve', 'approve', 'dana', 'homolog looks good');
      const done = await client.ended(id);
      expect(done.status).toBe('SUCCEEDED');
      expect(done.stages[0]).toMatchObject({
        status: 'SUCCEEDED',
        outputs: { decision: 'approve', user: 'dana', comment: 'homolog looks good' },
        reason: 'approved by dana: homolog looks good',
      });
      await eventually(() =>
        expect(stubs.eventsOf(id, 'aviary.evt.judgment.given.v1')[0]?.data).toMatchObject({
          user: 'dana',
          via: 'ui',
        }),
      );
    }, 30_000);

    it('stops on rejection', async () => {
      const id = await run(application('judge', judged()));
      await client.until(id, (e) => expect(e.status).toBe('PAUSED'));
      await client.judge(id, 'approve', 'reject', 'erin', 'not today');
      const done = await client.ended(id);
      expect(done.status).toBe('FAILED');
      expect(done.reason).toBe('stage approve failed: rejected by erin: not today');
      expect(statuses(done)).toEqual({ approve: 'FAILED', promote: 'SKIPPED' });
    }, 30_000);

    it('stops when nobody decides in time', async () => {
      const done = await client.ended(await run(application('judge', judged('1s'))));
      expect(done.status).toBe('FAILED');
      expect(done.reason).toBe('stage approve failed: no judgment within 1s');
    }, 30_000);
  });

  it('checks a precondition over outputs and the trigger', async () => {
    const pipeline = (limit: number) => (name: string) => `name: ${name}
stages:
  - { id: build, type: run, command: du, outputs: [size, imageUrl] }
  - id: small-enough
    type: check-precondition
    expression: 'trigger.branch == "main" && stage("build").outputs.size < ${limit}'
  - { id: deploy, type: deploy, environment: homolog, image: '\${stages.build.outputs.imageUrl}' }
`;
    const behaviour = (): Reply => ({ kind: 'succeed', outputs: { size: 120, imageUrl: 'r:1' } });
    const passed = await client.ended(await run(application('check', pipeline(200), behaviour)));
    expect(statuses(passed)).toEqual({
      build: 'SUCCEEDED',
      'small-enough': 'SUCCEEDED',
      deploy: 'SUCCEEDED',
    });
    const refused = await client.ended(await run(application('check', pipeline(100), behaviour)));
    expect(refused.status).toBe('FAILED');
    expect(refused.stages[1]?.reason).toBe(
      'precondition is false: trigger.branch == "main" && stage("build").outputs.size < 100',
    );
  }, 30_000);

  it('waits', async () => {
    const app = application(
      'wait',
      (name) => `name: ${name}
stages:
  - { id: pause, type: wait, duration: 400ms }
  - { id: go, type: run, command: go }
`,
    );
    const done = await client.ended(await run(app));
    expect(statuses(done)).toEqual({ pause: 'SUCCEEDED', go: 'SUCCEEDED' });
    expect(done.stages[0]!.durationMs).toBeGreaterThanOrEqual(400);
  }, 30_000);

  describe('cancel', () => {
    const hanging = (name: string) => `name: ${name}
stages:
  - { id: deploy, type: deploy, environment: homolog, image: x }
  - { id: approve, type: manual-judgment }
`;

    it('ends a running execution at once, even with its worker gone, and tells the worker', async () => {
      const app = application('cancel', hanging, () => ({ kind: 'hang' }));
      const id = await run(app);
      await eventually(() => expect(commandsOf(id)).toEqual(['deploy#1']));
      await client.cancel(id, 'frank', 'wrong commit');
      const done = await client.ended(id, 5_000);
      expect(done).toMatchObject({ status: 'CANCELED', reason: 'wrong commit' });
      expect(statuses(done)).toEqual({ deploy: 'CANCELED', approve: 'NOT_STARTED' });
      await eventually(() => expect(stubs.cancels(id).map((c) => c.stageId)).toEqual(['deploy']));
      await eventually(() =>
        expect(stubs.eventsOf(id, 'aviary.evt.execution.cancelled.v1')[0]?.data).toMatchObject({
          cancelledBy: 'frank',
        }),
      );
    }, 30_000);

    it('ends a paused execution', async () => {
      const id = await run(application('cancel', hanging));
      await client.until(id, (e) => expect(e.status).toBe('PAUSED'));
      await client.cancel(id);
      const done = await client.ended(id, 5_000);
      expect(statuses(done)).toEqual({ deploy: 'SUCCEEDED', approve: 'CANCELED' });
    }, 30_000);

    it('ends an execution waiting in its queue, or still reading its pipeline', async () => {
      const app = application('cancel', hanging, () => ({ kind: 'hang' }));
      const first = await run(app);
      await eventually(() => expect(commandsOf(first)).toEqual(['deploy#1']));
      const queued = await run(app);
      await client.until(queued, (e) => expect(e.reason).toMatch(/^queued behind/));
      await client.cancel(queued);
      expect((await client.ended(queued, 5_000)).status).toBe('CANCELED');

      const unread = uniqueApplication('cancel');
      stubs.unanswered.add(unread);
      await client.push(unread);
      const reading = await client.executionOf(unread);
      await client.cancel(reading);
      expect((await client.ended(reading, 5_000)).status).toBe('CANCELED');
      await client.cancel(first);
      await client.ended(first, 5_000);
    }, 30_000);

    it('leaves an ended execution alone, and says so', async () => {
      const id = await run(
        application('cancel', (name) => `name: ${name}\nstages:\n  - { id: a, type: run, command: a }\n`),
      );
      await client.ended(id);
      await client.cancel(id, 'gina');
      const after = await client.until(id, (e) =>
        expect(e.history.at(-1)).toMatchObject({ actor: 'gina', action: 'cancel-ignored' }),
      );
      expect(after.status).toBe('SUCCEEDED');
    }, 30_000);
  });

  it('restarts a failed stage and what follows, without running again what succeeded', async () => {
    const app = application(
      'restart',
      (name) => `name: ${name}
stages:
  - { id: build, type: build-image, repository: r }
  - { id: deploy, type: deploy, environment: homolog, image: '\${stages.build.outputs.imageUrl}' }
  - { id: smoke, type: run, command: smoke }
`,
      (c) =>
        c.stageId === 'deploy' && c.attempt === 1
          ? { kind: 'fail', message: 'quota exceeded' }
          : { kind: 'succeed', outputs: c.stageId === 'build' ? { imageUrl: 'r:7' } : {} },
    );
    const id = await run(app);
    expect((await client.ended(id)).status).toBe('FAILED');
    await client.restart(id, 'deploy', 'hank');
    const done = await client.until(id, (e) => expect(e.status).toBe('SUCCEEDED'));
    expect(commandsOf(id)).toEqual(['build#1', 'deploy#1', 'deploy#2', 'smoke#1']);
    expect(
      stubs.stageCommands(id).find((c) => c.stageId === 'deploy' && c.attempt === 2)?.data,
    ).toMatchObject({
      settings: { image: 'r:7' },
    });
    expect(done.stages.find((s) => s.stageId === 'deploy')?.attempts.map((a) => a.status)).toEqual([
      'FAILED',
      'SUCCEEDED',
    ]);
  }, 30_000);

  describe('concurrency on a branch', () => {
    const slow = (concurrency: string) => (name: string) => `name: ${name}
concurrency: ${concurrency}
stages:
  - { id: deploy, type: deploy, environment: homolog, image: x }
`;

    it('queue: a new push waits for the running execution, then runs', async () => {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const app = application('queue', slow('queue'), () => ({ kind: 'succeed', after: released }));
      const first = await run(app);
      await eventually(() => expect(commandsOf(first)).toHaveLength(1));
      const second = await run(app);
      const waiting = await client.until(second, (e) =>
        expect(e.reason).toBe(`queued behind ${first} (RUNNING) on refs/heads/main`),
      );
      expect(waiting.status).toBe('NOT_STARTED');
      expect(commandsOf(second)).toEqual([]);
      release();
      const [a, b] = [await client.ended(first), await client.ended(second)];
      expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.endedAt!));
    }, 30_000);

    it('cancel: a new push cancels the running execution and runs', async () => {
      const app = application('supersede', slow('cancel'), (c) =>
        c.executionId ? { kind: 'hang' } : { kind: 'succeed' },
      );
      const first = await run(app);
      await eventually(() => expect(commandsOf(first)).toHaveLength(1));
      stubs.on(app, () => ({ kind: 'succeed' }));
      const second = await run(app);
      const cancelled = await client.ended(first);
      expect(cancelled).toMatchObject({
        status: 'CANCELED',
        reason: `superseded by ${second}, a newer push to refs/heads/main`,
      });
      await eventually(() => expect(stubs.cancels(first)).toHaveLength(1));
      expect((await client.ended(second)).status).toBe('SUCCEEDED');
    }, 30_000);
  });

  it('starts an execution by hand under the id the caller chose', async () => {
    const app = application(
      'manual',
      (name) =>
        `name: ${name}\ntriggers: { branches: [main] }\nstages:\n  - { id: a, type: run, command: a }\n`,
    );
    const executionId = `manual-${app}`;
    await client.trigger({
      executionId,
      application: app,
      repository: `https://github.com/acme/${app}`,
      branch: 'hotfix/1',
      user: 'ivy',
    });
    await client.trigger({
      executionId,
      application: app,
      repository: `https://github.com/acme/${app}`,
      branch: 'hotfix/1',
      user: 'ivy',
    });
    const done = await client.ended(executionId);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      branch: 'hotfix/1',
      trigger: { kind: 'manual', actor: 'ivy' },
    });
    expect((await client.list({ application: app })).total).toBe(1);
  }, 30_000);

  describe('a pipeline that cannot run', () => {
    it('ends TERMINAL with every error of an invalid file, with line and column', async () => {
      const app = application(
        'invalid',
        (name) =>
          `name: ${name}\nstages:\n  - { id: a, type: runn, command: a }\n  - { id: b, type: run, command: b, dependsOn: [c] }\n`,
      );
      const done = await client.ended(await run(app));
      expect(done.status).toBe('TERMINAL');
      expect(done.reason).toMatch(
        /^invalid \.aviary\/pipeline\.yaml:\n\.aviary\/pipeline\.yaml:3:\d+ .*runn/,
      );
      expect(done.reason).toMatch(/pipeline\.yaml:4:\d+ .*c/);
    }, 30_000);

    it('ends TERMINAL when the file does not exist at the commit', async () => {
      const app = uniqueApplication('missing');
      await client.push(app);
      const done = await client.ended(await client.executionOf(app));
      expect(done).toMatchObject({
        status: 'TERMINAL',
        reason: expect.stringMatching(/^no \.aviary\/pipeline\.yaml at a94a8fe/),
      });
    }, 30_000);

    it('tries reading again while the builder does not answer, then ends TERMINAL', async () => {
      const app = uniqueApplication('unread');
      stubs.unanswered.add(app);
      await client.push(app);
      const done = await client.ended(await client.executionOf(app), 20_000);
      expect(done.status).toBe('TERMINAL');
      expect(done.reason).toMatch(/^could not read \.aviary\/pipeline\.yaml after 3 tries: timed out/);
      expect(done.history.filter((h) => h.action === 'pipeline-read-failed')).toHaveLength(2);
    }, 30_000);

    it('starts nothing for a push its triggers do not cover', async () => {
      const app = application(
        'triggers',
        (name) =>
          `name: ${name}\ntriggers: { branches: [main] }\nstages:\n  - { id: a, type: run, command: a }\n`,
      );
      const queries = stubs.fileQueries;
      await client.push(app, 'feature/x');
      await eventually(() => expect(stubs.fileQueries).toBeGreaterThan(queries));
      await eventually(async () => expect((await client.list({ application: app })).total).toBe(0), 5_000);
    }, 30_000);
  });

  it('lists executions by application, branch and status, a page at a time', async () => {
    const app = application(
      'list',
      (name) => `name: ${name}\nstages:\n  - { id: a, type: run, command: a }\n`,
    );
    const ids = [await run(app, 'main'), await run(app, 'main'), await run(app, 'dev')];
    for (const id of ids) await client.ended(id);
    const first = await client.list({ application: app, limit: 2 });
    expect(first.total).toBe(3);
    expect(first.executions.map((e) => e.executionId)).toEqual([ids[2], ids[1]]);
    const second = await client.list({ application: app, limit: 2, cursor: first.nextCursor! });
    expect(second.executions.map((e) => e.executionId)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeUndefined();
    expect(
      (await client.list({ application: app, branch: 'dev' })).executions.map((e) => e.executionId),
    ).toEqual([ids[2]]);
    expect((await client.list({ application: app, status: ['FAILED'] })).total).toBe(0);
    expect((await client.list({ application: app, status: ['SUCCEEDED'] })).total).toBe(3);
    await expect(client.get('no-such-execution')).rejects.toThrow('no execution no-such-execution');
  }, 30_000);
});
