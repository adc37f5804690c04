import { beforeEach, describe, expect, it } from '@jest/globals';
import { type Trigger } from '@aviary/events';
import { FINISHED_STATUSES, type ResolvedPipeline } from '@aviary/pipeline-spec';
import { SpecLanguage } from '../pipelines/spec-language.js';
import { pipeline, sequence, stage } from '../testing/pipelines.js';
import { type Changes } from './changes.js';
import { newStageState, type ExecutionState } from './execution-state.js';
import { ExecutionRun, watchdogDeadline, type Outcome } from './execution-run.js';

const language = new SpecLanguage();
const T0 = new Date('2026-11-26T10:00:00.000Z');

const trigger: Trigger = {
  kind: 'push',
  provider: 'github',
  repository: 'https://github.com/acme/orders',
  ref: 'refs/heads/main',
  branch: 'main',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
};

function executionOf(of: ResolvedPipeline, overrides: Partial<Trigger> = {}): ExecutionState {
  return {
    id: 'exec-1',
    application: 'orders',
    trigger: { ...trigger, ...overrides },
    pipeline: of,
    status: 'NOT_STARTED',
    reason: null,
    createdAt: T0,
    startedAt: null,
    endedAt: null,
    stages: new Map(of.stages.map((definition) => [definition.id, newStageState(definition)])),
  };
}

/** Drives one execution through the engine, keeping the clock and what each step decided. */
class Driver {
  now = T0;
  last!: Changes;
  outcome!: Outcome;

  constructor(readonly state: ExecutionState) {}

  step(op: (run: ExecutionRun) => Outcome, actor?: string): this {
    const run = new ExecutionRun(this.state, language, this.now, actor);
    this.outcome = op(run);
    this.last = run.changes;
    return this;
  }

  later(ms: number): this {
    this.now = new Date(this.now.getTime() + ms);
    return this;
  }

  start(): this {
    return this.step((run) => run.start());
  }

  complete(stageId: string, outputs: Record<string, unknown> = {}, attempt?: number): this {
    const at = attempt ?? this.state.stages.get(stageId)!.attempt;
    return this.step((run) => run.stageCompleted(stageId, at, outputs));
  }

  fail(stageId: string, message = 'exit code 1', code?: string, retryable?: boolean): this {
    const at = this.state.stages.get(stageId)!.attempt;
    return this.step((run) =>
      run.stageFailed(
        stageId,
        at,
        { message, ...(code ? { code } : {}), ...(retryable === undefined ? {} : { retryable }) },
        {},
      ),
    );
  }

  fire(kind: 'stage-timeout' | 'stage-retry' | 'wait-done', stageId: string): this {
    const timer = this.last.timersToAdd.find((t) => t.kind === kind && t.stageId === stageId);
    if (!timer) throw new Error(`no ${kind} timer for ${stageId} in the last step`);
    this.now = timer.dueAt;
    return this.step((run) => run.timer({ kind, stageId, attempt: timer.attempt ?? null }));
  }

  /** Stage commands of the last step: `<subject> <stage>#<attempt>`. */
  commands(): string[] {
    return this.last.messages
      .filter((m) => m.contract.subject.includes('.cmd.'))
      .map((m) => {
        const data = m.data as { stageId: string; attempt: number };
        return `${m.contract.subject.split('.').slice(2, 4).join('.')} ${data.stageId}#${data.attempt}`;
      });
  }

  events(): string[] {
    return this.last.messages
      .filter((m) => m.contract.subject.includes('.evt.'))
      .map((m) => m.contract.subject.split('.').slice(2, 4).join('.'));
  }

  statuses(): Record<string, string> {
    return Object.fromEntries([...this.state.stages.values()].map((s) => [s.id, s.status]));
  }

  reasonOf(stageId: string): string | null {
    return this.state.stages.get(stageId)!.reason;
  }
}

let drive: (of: ResolvedPipeline, overrides?: Partial<Trigger>) => Driver;
beforeEach(() => {
  drive = (of, overrides) => new Driver(executionOf(of, overrides));
});

describe('an execution', () => {
  it('starts: the first stage is dispatched once, with its deadline, and timers guard it', () => {
    const d = drive(pipeline(sequence(['checkout', 'install']))).start();
    expect(d.state.status).toBe('RUNNING');
    expect(d.commands()).toEqual(['builder.run checkout#1']);
    const command = d.last.messages[0]!;
    expect(command.id).toBe('exec-1/checkout/1/run');
    expect(command.data).toMatchObject({
      deadline: '2026-11-26T10:01:00.000Z',
      attempt: 1,
      application: 'orders',
    });
    expect(d.events()).toEqual(['execution.started', 'execution.stage-changed']);
    expect(d.last.timersToAdd.map((t) => `${t.kind} ${t.stageId ?? ''} ${t.dueAt.toISOString()}`)).toEqual([
      'execution-timeout  2026-11-26T11:00:01.000Z',
      'stage-timeout checkout 2026-11-26T10:01:00.000Z',
    ]);
  });

  it('runs stages in order and passes outputs into later settings and inputs', () => {
    const build = stage('build', 'build-image');
    const deploy = stage('deploy', 'deploy', {
      dependsOn: ['build'],
      settings: { image: '${stages.build.outputs.imageUrl}', note: 'sha ${trigger.sha}' },
    });
    const d = drive(pipeline([build, deploy])).start();
    d.complete('build', { imageUrl: 'registry.local/orders:a94a8fe' });
    expect(d.commands()).toEqual(['deployer.deploy deploy#1']);
    expect(d.last.messages[0]!.data).toMatchObject({
      settings: { image: 'registry.local/orders:a94a8fe', note: `sha ${trigger.sha}` },
      inputs: { 'build.imageUrl': 'registry.local/orders:a94a8fe' },
    });
    d.complete('deploy');
    expect(d.state.status).toBe('SUCCEEDED');
    expect(d.events()).toContain('execution.completed');
    expect(d.last.groupNext).toBe(true);
    expect(d.last.clearAllTimers).toBe(true);
  });

  it('starts parallel branches together and joins them', () => {
    const d = drive(
      pipeline([
        stage('checkout'),
        stage('lint', 'run', { dependsOn: ['checkout'] }),
        stage('test', 'run', { dependsOn: ['checkout'] }),
        stage('build', 'build-image', { dependsOn: ['lint', 'test'] }),
      ]),
    ).start();
    d.complete('checkout');
    expect(d.commands()).toEqual(['builder.run test#1', 'builder.run lint#1']);
    d.complete('lint');
    expect(d.commands()).toEqual([]);
    d.complete('test');
    expect(d.commands()).toEqual(['builder.build-image build#1']);
  });

  it('ignores a result for another attempt, a repeated result, and a result after the end', () => {
    const d = drive(pipeline(sequence(['a', 'b']))).start();
    d.complete('a', {}, 2);
    expect(d.outcome).toEqual({ applied: false, reason: 'not waiting for attempt 2 of a' });
    d.complete('a');
    expect(d.outcome.applied).toBe(true);
    d.complete('a', {}, 1);
    expect(d.outcome.applied).toBe(false);
    expect(d.last.empty).toBe(true);
  });

  it('retries a failed attempt after an exponential backoff, then fails the pipeline', () => {
    const flaky = stage('test', 'run', {
      retries: { max: 2, initialBackoffMs: 1_000, maxBackoffMs: 10_000, factor: 3 },
    });
    const d = drive(pipeline([flaky, stage('build', 'build-image', { dependsOn: ['test'] })])).start();
    d.fail('test', 'tests failed');
    expect(d.reasonOf('test')).toBe('attempt 1 failed: tests failed; attempt 2 in 1s');
    expect(d.last.timersToAdd).toEqual([
      { kind: 'stage-retry', stageId: 'test', attempt: 2, dueAt: new Date(T0.getTime() + 1_000) },
    ]);
    d.fire('stage-retry', 'test');
    expect(d.commands()).toEqual(['builder.run test#2']);
    d.fail('test', 'tests failed');
    expect(d.reasonOf('test')).toBe('attempt 2 failed: tests failed; attempt 3 in 3s');
    d.fire('stage-retry', 'test').fail('test', 'tests failed again');
    expect(d.statuses()).toEqual({ test: 'FAILED', build: 'SKIPPED' });
    expect(d.reasonOf('build')).toBe('not run: test failed the pipeline');
    expect(d.state.status).toBe('FAILED');
    expect(d.state.reason).toBe('stage test failed: tests failed again');
  });

  it("does not spend a stage's retries on a failure its worker says a retry cannot help", () => {
    const retries = { max: 2, initialBackoffMs: 1_000, maxBackoffMs: 10_000, factor: 3 };
    const d = drive(pipeline([stage('deploy', 'deploy', { retries })])).start();
    d.fail(
      'deploy',
      'the API server refused the Deployment: spec.replicas: Invalid value',
      'invalid-manifest',
      false,
    );
    expect(d.statuses()).toEqual({ deploy: 'FAILED' });
    expect(d.last.timersToAdd).toEqual([]);
    expect(d.state.reason).toBe(
      'stage deploy failed: the API server refused the Deployment: spec.replicas: Invalid value ' +
        '(not retried: invalid-manifest says a retry cannot help)',
    );

    // A failure that may pass on another try still gets them.
    const e = drive(pipeline([stage('test', 'run', { retries })])).start();
    e.fail('test', 'the command exited with code 1', 'exit-code', true);
    expect(e.reasonOf('test')).toBe('attempt 1 failed: the command exited with code 1; attempt 2 in 1s');
  });

  it('runs an attempt whose worker died again, twice at most, before and besides the stage retries', () => {
    const lost = 'the builder running this attempt (b-1) stopped without handing it back';
    const d = drive(
      pipeline([stage('test'), stage('build', 'build-image', { dependsOn: ['test'] })]),
    ).start();
    d.fail('test', lost, 'worker-lost');
    expect(d.reasonOf('test')).toBe(`attempt 1 failed: ${lost}; attempt 2 in 1s`);
    d.fire('stage-retry', 'test');
    expect(d.commands()).toEqual(['builder.run test#2']);
    d.fail('test', lost, 'worker-lost').fire('stage-retry', 'test');
    expect(d.commands()).toEqual(['builder.run test#3']);
    d.fail('test', lost, 'worker-lost');
    expect(d.statuses()).toEqual({ test: 'FAILED', build: 'SKIPPED' });

    // The stage's own retries are kept for its own failures.
    const own = stage('test', 'run', {
      retries: { max: 1, initialBackoffMs: 5_000, maxBackoffMs: 5_000, factor: 1 },
    });
    const e = drive(pipeline([own])).start();
    e.fail('test', lost, 'worker-lost').fire('stage-retry', 'test');
    e.fail('test', 'tests failed');
    expect(e.reasonOf('test')).toBe('attempt 2 failed: tests failed; attempt 3 in 5s');
    e.fire('stage-retry', 'test').fail('test', 'tests failed');
    expect(e.state.status).toBe('FAILED');

    // Any other failure of a stage without retries fails it at once.
    const f = drive(pipeline([stage('test')])).start();
    f.fail('test', 'the command exited with code 1', 'exit-code');
    expect(f.state.status).toBe('FAILED');
  });

  it('times a stage out even when its worker never answers: a cancel goes to the worker', () => {
    const d = drive(pipeline([stage('deploy', 'deploy', { timeoutMs: 5_000 })])).start();
    d.fire('stage-timeout', 'deploy');
    expect(d.commands()).toEqual(['deployer.cancel deploy#1']);
    expect(d.state.status).toBe('FAILED');
    expect(d.state.reason).toBe('stage deploy failed: timed out after 5s');
    d.complete('deploy', {}, 1);
    expect(d.outcome.applied).toBe(false);
  });

  it('goes on past a failure with onFailure: ignore', () => {
    const d = drive(
      pipeline([
        stage('lint', 'run', { onFailure: 'ignore' }),
        stage('build', 'build-image', { dependsOn: ['lint'] }),
      ]),
    ).start();
    d.fail('lint');
    expect(d.statuses()).toEqual({ lint: 'FAILED_CONTINUE', build: 'RUNNING' });
    d.complete('build');
    expect(d.state.status).toBe('SUCCEEDED');
  });

  it('rolls back with onFailure: rollback, cancelling the other branches', () => {
    const d = drive(
      pipeline([
        stage('deploy', 'deploy', { onFailure: 'rollback' }),
        stage('analysis', 'canary-analysis'),
        stage('promote', 'promote', { dependsOn: ['deploy', 'analysis'] }),
        stage('undo', 'rollback', { dependsOn: ['deploy', 'analysis'], when: { statuses: ['FAILED'] } }),
      ]),
    ).start();
    expect(d.commands()).toEqual(['canary.analyze analysis#1', 'deployer.deploy deploy#1']);
    d.fail('deploy', 'image pull failed');
    expect(d.commands()).toEqual(['deployer.rollback undo#1', 'canary.cancel analysis#1']);
    expect(d.statuses()).toMatchObject({ deploy: 'FAILED', analysis: 'CANCELED', undo: 'RUNNING' });
    d.complete('undo');
    expect(d.statuses()).toEqual({
      deploy: 'FAILED',
      analysis: 'CANCELED',
      promote: 'SKIPPED',
      undo: 'SUCCEEDED',
    });
    expect(d.state.status).toBe('FAILED');
  });

  it('runs stages that ask to run after failures (notify at the end) and then fails', () => {
    const d = drive(
      pipeline([
        stage('test'),
        stage('notify', 'notify', { dependsOn: ['test'], when: { statuses: [...FINISHED_STATUSES] } }),
      ]),
    ).start();
    d.fail('test');
    expect(d.commands()).toEqual(['notifier.notify-stage notify#1']);
    d.complete('notify');
    expect(d.state.status).toBe('FAILED');
  });

  describe('with onFailure: pause-and-notify', () => {
    const paused = () =>
      drive(
        pipeline([
          stage('deploy', 'deploy', { onFailure: 'pause-and-notify' }),
          stage('smoke', 'run', { dependsOn: ['deploy'] }),
        ]),
      )
        .start()
        .fail('deploy', 'rollout stuck');

    it('pauses and asks the notifier to tell people', () => {
      const d = paused();
      expect(d.state.status).toBe('PAUSED');
      expect(d.statuses()).toEqual({ deploy: 'PAUSED', smoke: 'NOT_STARTED' });
      expect(d.events()).toEqual(['execution.stage-changed', 'execution.paused']);
      const notify = d.last.messages.find((m) => m.contract.subject === 'aviary.cmd.notifier.notify.v1');
      expect(notify?.data).toMatchObject({ severity: 'warning', stageId: 'deploy' });
    });

    it('resumes when a person restarts the stage', () => {
      const d = paused().step((run) => run.restart('deploy'), 'alice');
      expect(d.commands()).toEqual(['deployer.deploy deploy#2']);
      expect(d.state.status).toBe('RUNNING');
      d.complete('deploy').complete('smoke');
      expect(d.state.status).toBe('SUCCEEDED');
    });

    it('goes on when a person approves, and fails when one rejects', () => {
      const approved = paused().step(
        (run) => run.judge({ stageId: 'deploy', decision: 'approve', user: 'alice', via: 'ui' }),
        'alice',
      );
      expect(approved.statuses()).toEqual({ deploy: 'FAILED_CONTINUE', smoke: 'RUNNING' });
      expect(approved.events()).toContain('execution.resumed');
      const rejected = paused().step(
        (run) =>
          run.judge({ stageId: 'deploy', decision: 'reject', user: 'bob', comment: 'broken', via: 'slack' }),
        'bob',
      );
      expect(rejected.state.status).toBe('FAILED');
      expect(rejected.reasonOf('deploy')).toBe('bob stopped the pipeline: broken');
    });
  });

  describe('a manual judgment', () => {
    const judged = () =>
      drive(
        pipeline([
          stage('approve', 'manual-judgment', {
            timeoutMs: 600_000,
            settings: { instructions: 'Check staging', roles: ['lead'] },
          }),
          stage('promote', 'promote', { dependsOn: ['approve'] }),
        ]),
      ).start();

    it('pauses the execution and asks for a decision', () => {
      const d = judged();
      expect(d.state.status).toBe('PAUSED');
      const asked = d.last.messages.find((m) => m.contract.subject === 'aviary.evt.judgment.requested.v1');
      expect(asked?.data).toEqual({
        executionId: 'exec-1',
        stageId: 'approve',
        application: 'orders',
        instructions: 'Check staging',
        allowedRoles: ['lead'],
        expiresAt: '2026-11-26T10:10:00.000Z',
      });
    });

    it('resumes on approval, with who and why as outputs', () => {
      const d = judged()
        .later(60_000)
        .step(
          (run) =>
            run.judge({ stageId: 'approve', decision: 'approve', user: 'alice', comment: 'ok', via: 'ui' }),
          'alice',
        );
      expect(d.statuses()).toEqual({ approve: 'SUCCEEDED', promote: 'RUNNING' });
      expect(d.state.stages.get('approve')!.outputs).toEqual({
        decision: 'approve',
        user: 'alice',
        comment: 'ok',
      });
      expect(d.events()).toEqual([
        'judgment.given',
        'execution.stage-changed',
        'execution.stage-changed',
        'execution.resumed',
      ]);
    });

    it('stops on rejection, and on its timeout', () => {
      const rejected = judged().step(
        (run) => run.judge({ stageId: 'approve', decision: 'reject', user: 'bob', via: 'api' }),
        'bob',
      );
      expect(rejected.state.status).toBe('FAILED');
      expect(rejected.state.reason).toBe('stage approve failed: rejected by bob');
      const expired = judged().fire('stage-timeout', 'approve');
      expect(expired.state.status).toBe('FAILED');
      expect(expired.state.reason).toBe('stage approve failed: no judgment within 10m');
    });

    it('refuses a judgment for a stage that does not wait for one', () => {
      const d = judged().step(
        (run) => run.judge({ stageId: 'promote', decision: 'approve', user: 'eve', via: 'api' }),
        'eve',
      );
      expect(d.outcome).toEqual({ applied: false, reason: 'promote does not wait for a decision' });
      expect(d.last.history).toMatchObject([
        { actor: 'eve', action: 'judgment-refused', stageId: 'promote' },
      ]);
    });
  });

  it('checks a precondition over stage statuses and outputs', () => {
    const gate = (expression: string) =>
      drive(
        pipeline([
          stage('analysis', 'canary-analysis'),
          stage('check', 'check-precondition', {
            dependsOn: ['analysis'],
            settings: { expressions: [expression] },
          }),
          stage('promote', 'promote', { dependsOn: ['check'] }),
        ]),
      )
        .start()
        .complete('analysis', { score: 92 });
    const passed = gate('stage("analysis").status == "SUCCEEDED" && stage("analysis").outputs.score >= 90');
    expect(passed.statuses()).toEqual({ analysis: 'SUCCEEDED', check: 'SUCCEEDED', promote: 'RUNNING' });
    const refused = gate('stage("analysis").outputs.score >= 95');
    expect(refused.statuses()).toEqual({ analysis: 'SUCCEEDED', check: 'FAILED', promote: 'SKIPPED' });
    expect(refused.reasonOf('check')).toBe('precondition is false: stage("analysis").outputs.score >= 95');
  });

  it('waits with a timer', () => {
    const d = drive(
      pipeline([
        stage('pause', 'wait', { settings: { duration: 30_000 } }),
        stage('go', 'run', { dependsOn: ['pause'] }),
      ]),
    ).start();
    expect(d.last.timersToAdd.map((t) => t.kind)).toEqual(['execution-timeout', 'wait-done']);
    d.fire('wait-done', 'pause');
    expect(d.statuses()).toEqual({ pause: 'SUCCEEDED', go: 'RUNNING' });
  });

  it('fails a stage whose settings refer to an output that does not exist, without retrying', () => {
    const d = drive(
      pipeline([
        stage('build', 'build-image'),
        stage('deploy', 'deploy', {
          dependsOn: ['build'],
          settings: { image: '${stages.build.outputs.imageUrl}' },
          retries: { max: 3, initialBackoffMs: 10, maxBackoffMs: 10, factor: 1 },
        }),
      ]),
    )
      .start()
      .complete('build', { tag: 'x' });
    expect(d.statuses()).toEqual({ build: 'SUCCEEDED', deploy: 'FAILED' });
    expect(d.reasonOf('deploy')).toContain('cannot resolve its settings: ${stages.build.outputs.imageUrl}');
  });

  describe('cancel', () => {
    it('works before the execution started', () => {
      const d = drive(pipeline(sequence(['a']))).step((run) => run.cancel(undefined), 'alice');
      expect(d.state.status).toBe('CANCELED');
      expect(d.last.messages.map((m) => m.data)).toMatchObject([
        { cancelledBy: 'alice', reason: 'cancelled by alice' },
      ]);
    });

    it('ends a running execution at once and sends a cancel to each busy worker', () => {
      const d = drive(
        pipeline([stage('a'), stage('b', 'deploy'), stage('w', 'wait', { settings: { duration: 1000 } })]),
      ).start();
      d.step((run) => run.cancel('wrong commit'), 'alice');
      expect(d.state.status).toBe('CANCELED');
      expect(d.statuses()).toEqual({ a: 'CANCELED', b: 'CANCELED', w: 'CANCELED' });
      expect(d.commands()).toEqual(['builder.cancel a#1', 'deployer.cancel b#1']);
      expect(d.last.clearAllTimers).toBe(true);
    });

    it('ends a paused execution', () => {
      const d = drive(pipeline([stage('approve', 'manual-judgment')])).start();
      d.step((run) => run.cancel(undefined), 'alice');
      expect(d.state.status).toBe('CANCELED');
      expect(d.statuses()).toEqual({ approve: 'CANCELED' });
    });

    it('does nothing to an execution that ended, but records the attempt', () => {
      const d = drive(pipeline(sequence(['a'])))
        .start()
        .complete('a');
      d.step((run) => run.cancel(undefined), 'alice');
      expect(d.outcome).toEqual({ applied: false, reason: 'it already ended SUCCEEDED' });
      expect(d.last.history).toMatchObject([{ actor: 'alice', action: 'cancel-ignored' }]);
    });
  });

  it('restarts a failed stage and what follows, keeping what succeeded', () => {
    const d = drive(pipeline(sequence(['build', 'deploy', 'smoke']))).start();
    d.complete('build', { imageUrl: 'x' }).fail('deploy');
    expect(d.state.status).toBe('FAILED');
    d.step((run) => run.restart('deploy'), 'alice');
    expect(d.statuses()).toEqual({ build: 'SUCCEEDED', deploy: 'RUNNING', smoke: 'NOT_STARTED' });
    expect(d.commands()).toEqual(['builder.run deploy#2']);
    expect(d.events()).toContain('execution.resumed');
    expect(d.last.timersToAdd.map((t) => t.kind)).toEqual(['execution-timeout', 'stage-timeout']);
    d.complete('deploy').complete('smoke');
    expect(d.state.status).toBe('SUCCEEDED');
    expect(d.state.stages.get('build')!.outputs).toEqual({ imageUrl: 'x' });
  });

  it('restarts with a failed stage the branches its failure stopped or skipped', () => {
    const d = drive(pipeline([stage('a'), stage('b'), stage('c', 'run', { dependsOn: ['b'] })])).start();
    d.fail('a');
    expect(d.statuses()).toEqual({ a: 'FAILED', b: 'CANCELED', c: 'SKIPPED' });
    d.step((run) => run.restart('a'), 'alice');
    expect(d.statuses()).toEqual({ a: 'RUNNING', b: 'RUNNING', c: 'NOT_STARTED' });
    expect(d.commands()).toEqual(['builder.run b#2', 'builder.run a#2']);
  });

  it('refuses to restart a stage of a running execution, or one that succeeded', () => {
    const d = drive(pipeline(sequence(['a', 'b']))).start();
    d.step((run) => run.restart('a'), 'alice');
    expect(d.outcome).toEqual({ applied: false, reason: 'the execution is RUNNING' });
    d.complete('a')
      .fail('b')
      .step((run) => run.restart('a'), 'alice');
    expect(d.outcome).toEqual({ applied: false, reason: 'a is SUCCEEDED' });
  });

  it('ends TERMINAL when the pipeline times out, stopping what runs', () => {
    const d = drive(pipeline([stage('a')], { timeoutMs: 120_000 })).start();
    d.later(120_000).step((run) => run.timer({ kind: 'execution-timeout', stageId: null, attempt: null }));
    expect(d.state.status).toBe('TERMINAL');
    expect(d.state.reason).toBe('the pipeline timed out after 2m');
    expect(d.commands()).toEqual(['builder.cancel a#1']);
  });

  describe('the watchdog', () => {
    it('knows when an execution should have moved', () => {
      const d = drive(pipeline([stage('a', 'run', { timeoutMs: 10_000 })])).start();
      expect(watchdogDeadline(d.state, 1_000, d.now)).toEqual(new Date(T0.getTime() + 11_000));
    });

    it('leaves alone an execution that a timer will move', () => {
      const d = drive(pipeline([stage('a', 'run', { timeoutMs: 10_000 })])).start();
      const due = new Date(T0.getTime() + 60_000);
      d.later(15_000).step((run) => run.watchdog(1_000, [due]));
      expect(d.outcome).toEqual({ applied: false, reason: 'a timer is pending' });
      expect(d.last.watchdogAt).toEqual(new Date(due.getTime() + 1_000));
      expect(d.state.status).toBe('RUNNING');
    });

    it('leaves an execution alone before then, and stops it after, saying what was overdue', () => {
      const d = drive(pipeline([stage('a', 'run', { timeoutMs: 10_000 })])).start();
      d.later(5_000).step((run) => run.watchdog(1_000, []));
      expect(d.outcome.applied).toBe(false);
      d.later(10_000).step((run) => run.watchdog(1_000, []));
      expect(d.state.status).toBe('TERMINAL');
      expect(d.state.reason).toBe(
        'stopped by the watchdog: no progress: a (attempt 1) RUNNING waiting for worker since 2026-11-26T10:00:00.000Z, due by 2026-11-26T10:00:10.000Z; pipeline timeout 1h from 2026-11-26T10:00:00.000Z',
      );
      expect(d.commands()).toEqual(['builder.cancel a#1']);
    });
  });
});
