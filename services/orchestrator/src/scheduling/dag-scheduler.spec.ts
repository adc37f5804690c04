import { describe, expect, it } from '@jest/globals';
import { FINISHED_STATUSES, type ResolvedPipeline, type StageStatus } from '@aviary/pipeline-spec';
import { pipeline, sequence, stage } from '../testing/pipelines.js';
import { dependantsOf, plan, retryDelayMs, type ScheduleInput } from './dag-scheduler.js';

// Branch patterns and expressions have their own tests in pipeline-spec; here a pattern is a branch
// name or `*`, and an expression is true when its text says so.
function input(
  of: ResolvedPipeline,
  statuses: Record<string, StageStatus>,
  options: Partial<Pick<ScheduleInput, 'branch' | 'evaluate'>> = {},
): ScheduleInput {
  const all = Object.fromEntries(of.stages.map((s) => [s.id, statuses[s.id] ?? 'NOT_STARTED']));
  return {
    pipeline: of,
    statuses: all,
    branch: 'branch' in options ? options.branch : 'main',
    branchMatches: (patterns, branch) =>
      patterns === undefined || patterns.some((p) => p === '*' || p === branch),
    evaluate: options.evaluate ?? ((expression) => expression === 'true'),
  };
}

const started = (ids: string[]) => ids.map((stageId) => ({ kind: 'start', stageId, cause: 'ready' }));

describe('the DAG scheduler', () => {
  const diamond = pipeline([
    stage('checkout'),
    stage('lint', 'run', { dependsOn: ['checkout'] }),
    stage('test', 'run', { dependsOn: ['checkout'] }),
    stage('build', 'build-image', { dependsOn: ['lint', 'test'] }),
  ]);

  it('starts the stages without dependencies first, and only them', () => {
    expect(plan(input(diamond, {})).decisions).toEqual(started(['checkout']));
  });

  it('starts parallel branches together once their dependency succeeded', () => {
    expect(plan(input(diamond, { checkout: 'SUCCEEDED' })).decisions).toEqual(started(['lint', 'test']));
  });

  it('joins: a stage with several dependencies waits for all of them', () => {
    const waiting = plan(input(diamond, { checkout: 'SUCCEEDED', lint: 'SUCCEEDED', test: 'RUNNING' }));
    expect(waiting).toEqual({ decisions: [], outcome: { kind: 'running' } });
    const joined = plan(input(diamond, { checkout: 'SUCCEEDED', lint: 'SUCCEEDED', test: 'SUCCEEDED' }));
    expect(joined.decisions).toEqual(started(['build']));
  });

  it('finishes SUCCEEDED when every stage succeeded or was skipped', () => {
    const done = { checkout: 'SUCCEEDED', lint: 'SKIPPED', test: 'SUCCEEDED', build: 'SUCCEEDED' } as const;
    expect(plan(input(diamond, done))).toEqual({
      decisions: [],
      outcome: { kind: 'finished', status: 'SUCCEEDED' },
    });
  });

  it('skips a stage whose branch patterns do not match, and runs what follows it', () => {
    const gated = pipeline([
      stage('test'),
      stage('quality', 'quality-gate', { dependsOn: ['test'], when: { branches: ['main'] } }),
      stage('build', 'build-image', { dependsOn: ['quality'] }),
    ]);
    expect(plan(input(gated, { test: 'SUCCEEDED' }, { branch: 'feature/x' })).decisions).toEqual([
      { kind: 'skip', stageId: 'quality', reason: 'branch feature/x is not one of main' },
    ]);
    expect(plan(input(gated, { test: 'SUCCEEDED' }, { branch: undefined })).decisions).toEqual([
      { kind: 'skip', stageId: 'quality', reason: 'a tag push is not one of main' },
    ]);
    expect(plan(input(gated, { test: 'SUCCEEDED', quality: 'SKIPPED' })).decisions).toEqual(
      started(['build']),
    );
  });

  it('runs after an ignored failure by default, and skips when `if: statuses` asks for success only', () => {
    const strict = pipeline([
      stage('lint', 'run', { onFailure: 'ignore' }),
      stage('relaxed', 'run', { dependsOn: ['lint'] }),
      stage('picky', 'run', { dependsOn: ['lint'], when: { statuses: ['SUCCEEDED'] } }),
    ]);
    expect(plan(input(strict, { lint: 'FAILED_CONTINUE' })).decisions).toEqual([
      { kind: 'start', stageId: 'relaxed', cause: 'ready' },
      {
        kind: 'skip',
        stageId: 'picky',
        reason: 'lint ended FAILED_CONTINUE; this stage runs after SUCCEEDED',
      },
    ]);
  });

  it('evaluates `if` expressions: true starts, false skips, an error fails the stage', () => {
    const conditional = pipeline([
      stage('a', 'run', { when: { expression: 'true' } }),
      stage('b', 'run', { when: { expression: 'false' } }),
      stage('c', 'run', { when: { expression: 'broken' } }),
    ]);
    const evaluate = (expression: string) => {
      if (expression === 'broken') throw new Error('"a" < 3 compares a string and a number');
      return expression === 'true';
    };
    expect(plan(input(conditional, {}, { evaluate })).decisions).toEqual([
      { kind: 'start', stageId: 'a', cause: 'ready' },
      { kind: 'skip', stageId: 'b', reason: 'condition is false: false' },
      {
        kind: 'fail',
        stageId: 'c',
        reason: 'cannot evaluate its condition broken: "a" < 3 compares a string and a number',
      },
    ]);
  });

  describe('after a stage failed the pipeline', () => {
    const withAftermath = pipeline([
      stage('deploy', 'deploy'),
      stage('other', 'run'),
      stage('smoke', 'run', { dependsOn: ['deploy'] }),
      stage('notify', 'notify', { dependsOn: ['smoke'], when: { statuses: [...FINISHED_STATUSES] } }),
      stage('undo', 'rollback', { dependsOn: ['smoke'], when: { statuses: ['FAILED'] } }),
    ]);

    it('skips what did not ask to run after failures, and finishes FAILED naming the stage', () => {
      expect(plan(input(withAftermath, { deploy: 'FAILED', other: 'SUCCEEDED' })).decisions).toEqual([
        { kind: 'skip', stageId: 'smoke', reason: 'not run: deploy failed the pipeline', afterFailure: true },
      ]);
      const decided = {
        deploy: 'FAILED',
        other: 'SUCCEEDED',
        smoke: 'SKIPPED',
        notify: 'SUCCEEDED',
        undo: 'SKIPPED',
      } as const;
      expect(plan(input(withAftermath, decided))).toEqual({
        decisions: [],
        outcome: { kind: 'finished', status: 'FAILED', stageId: 'deploy' },
      });
    });

    it('starts the stages whose `if: statuses` accept the failure', () => {
      const statuses = { deploy: 'SUCCEEDED', other: 'SUCCEEDED', smoke: 'FAILED' } as const;
      expect(plan(input(withAftermath, statuses)).decisions).toEqual(started(['notify', 'undo']));
    });

    it('starts the rollback stages when the failed stage asked for one, once their dependencies rest', () => {
      const rolling = pipeline(
        withAftermath.stages.map((s) =>
          s.id === 'deploy'
            ? { ...s, onFailure: 'rollback' as const }
            : s.id === 'undo'
              ? { ...s, dependsOn: ['smoke', 'other'] }
              : s,
        ),
      );
      expect(plan(input(rolling, { deploy: 'FAILED', other: 'RUNNING' })).decisions).toEqual([
        { kind: 'skip', stageId: 'smoke', reason: 'not run: deploy failed the pipeline', afterFailure: true },
      ]);
      expect(
        plan(input(rolling, { deploy: 'FAILED', other: 'CANCELED', smoke: 'SKIPPED' })).decisions,
      ).toEqual([
        { kind: 'start', stageId: 'notify', cause: 'ready' },
        { kind: 'start', stageId: 'undo', cause: 'rollback' },
      ]);
    });

    it('reports TERMINAL before FAILED', () => {
      const ended = {
        deploy: 'FAILED',
        other: 'TERMINAL',
        smoke: 'SKIPPED',
        notify: 'SUCCEEDED',
        undo: 'SKIPPED',
      } as const;
      expect(plan(input(withAftermath, ended)).outcome).toEqual({
        kind: 'finished',
        status: 'TERMINAL',
        stageId: 'other',
      });
    });
  });

  it('is paused when nothing runs and a stage waits for a person', () => {
    const judged = pipeline([stage('approve', 'manual-judgment'), stage('other')]);
    expect(plan(input(judged, { approve: 'PAUSED', other: 'RUNNING' })).outcome).toEqual({ kind: 'running' });
    expect(plan(input(judged, { approve: 'PAUSED', other: 'SUCCEEDED' })).outcome).toEqual({
      kind: 'paused',
    });
  });

  it('finds every stage that follows one, directly or not', () => {
    expect(dependantsOf(diamond, 'checkout')).toEqual(['lint', 'test', 'build']);
    expect(dependantsOf(diamond, 'lint')).toEqual(['build']);
    expect(dependantsOf(pipeline(sequence(['a', 'b', 'c'])), 'c')).toEqual([]);
  });

  it('backs off exponentially up to the cap', () => {
    const policy = { max: 5, initialBackoffMs: 100, maxBackoffMs: 500, factor: 2 };
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry))).toEqual([100, 200, 400, 500]);
  });
});
