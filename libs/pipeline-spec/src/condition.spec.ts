import { describe, expect, it } from '@jest/globals';
import { evaluateCondition, triggerMatches } from './condition.js';
import { type ExecutionContext } from './context.js';
import { ExpressionError } from './expression/evaluate.js';
import { stage, valid } from './testing/parse.js';

const canary = valid('preset: node-service\nname: orders-api\ncanaryEnabled: true\n');

function context(branch: string | undefined, stages: ExecutionContext['stages']): ExecutionContext {
  const trigger: ExecutionContext['trigger'] = {
    kind: 'push',
    provider: 'github',
    repository: 'shop/orders',
    ref: 'refs/heads/x',
    sha: 'abc1234',
  };
  if (branch !== undefined) trigger.branch = branch;
  return { trigger, stages };
}

const ended = (status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED') => ({ status, outputs: {} });

describe('evaluateCondition', () => {
  it('skips main-branch stages on other branches', () => {
    expect(
      evaluateCondition(
        stage(canary, 'quality-gate'),
        context('feature/x', { 'quality-scan': ended('SKIPPED') }),
      ),
    ).toEqual({
      run: false,
      reason: 'branch feature/x is not main',
    });
    expect(
      evaluateCondition(stage(canary, 'build'), context('feature/x', { 'quality-gate': ended('SKIPPED') })),
    ).toEqual({ run: true });
  });

  it('follows the canary verdict: promote after a passed precondition, rollback after a failed one', () => {
    const passed = context('main', {
      'canary-analysis': ended('SUCCEEDED'),
      'check-precondition': ended('SUCCEEDED'),
    });
    const failed = context('main', {
      'canary-analysis': ended('FAILED'),
      'check-precondition': ended('FAILED'),
    });
    expect(evaluateCondition(stage(canary, 'check-precondition'), failed)).toEqual({ run: true });
    expect(evaluateCondition(stage(canary, 'promote'), passed)).toEqual({ run: true });
    expect(evaluateCondition(stage(canary, 'rollback'), passed)).toMatchObject({ run: false });
    expect(evaluateCondition(stage(canary, 'promote'), failed)).toEqual({
      run: false,
      reason: 'check-precondition ended FAILED, not SUCCEEDED',
    });
    expect(evaluateCondition(stage(canary, 'rollback'), failed)).toEqual({ run: true });
    expect(
      evaluateCondition(
        stage(canary, 'notify'),
        context('main', { promote: ended('SKIPPED'), rollback: ended('SUCCEEDED') }),
      ),
    ).toEqual({ run: true });
  });

  it('evaluates the expression against the execution', () => {
    const pipeline = valid(`
name: a
stages:
  - { id: judge, type: manual-judgment }
  - { id: ship, type: wait, duration: 1s, if: { expression: 'stage("judge").outputs.decision == "approve"' } }
`);
    const decided = (decision: unknown) =>
      context('main', { judge: { status: 'SUCCEEDED', outputs: { decision } } });
    expect(evaluateCondition(stage(pipeline, 'ship'), decided('approve'))).toEqual({ run: true });
    expect(evaluateCondition(stage(pipeline, 'ship'), decided('reject'))).toEqual({
      run: false,
      reason: 'stage("judge").outputs.decision == "approve" is false',
    });
    expect(() => evaluateCondition(stage(pipeline, 'ship'), decided(3))).toThrow(ExpressionError);
  });
});

describe('triggerMatches', () => {
  const push = (branch: string) => ({ ...context(branch, {}).trigger, branch });
  const tag = (name: string) => ({ ...context(undefined, {}).trigger, kind: 'tag' as const, tag: name });

  it('starts on pushes to matching branches and on tags when asked', () => {
    expect(triggerMatches({ tags: false }, push('anything'))).toBe(true);
    expect(triggerMatches({ branches: ['main', 'release/*'], tags: false }, push('release/1'))).toBe(true);
    expect(triggerMatches({ branches: ['main'], tags: false }, push('feature/x'))).toBe(false);
    expect(triggerMatches({ tags: false }, tag('v1.0.0'))).toBe(false);
    expect(triggerMatches({ tags: true }, tag('v1.0.0'))).toBe(true);
    expect(triggerMatches({ tags: ['v*'] }, tag('v1.0.0'))).toBe(true);
    expect(triggerMatches({ tags: ['v*'] }, tag('nightly'))).toBe(false);
    expect(triggerMatches({ branches: ['main'], tags: false }, { ...push('x'), kind: 'manual' })).toBe(true);
  });
});
