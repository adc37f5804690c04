import { describe, expect, it } from '@jest/globals';
import { type ExecutionContext } from '../context.js';
import { evaluateExpression, ExpressionError } from './evaluate.js';
import { parseExpression } from './parser.js';
import { staticProblems } from './static-check.js';

const context: ExecutionContext = {
  trigger: {
    kind: 'push',
    provider: 'github',
    repository: 'shop/orders',
    ref: 'refs/heads/main',
    branch: 'main',
    sha: 'abc1234',
  },
  stages: {
    'canary-analysis': { status: 'SUCCEEDED', outputs: { score: 92.5, verdict: 'pass' } },
    build: { status: 'FAILED', outputs: {} },
  },
};

function parsed(text: string) {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.ast;
}

const run = (text: string) => evaluateExpression(parsed(text), context);

describe('evaluateExpression', () => {
  it('reads statuses, outputs and trigger fields', () => {
    expect(run('stage("canary-analysis").status == "SUCCEEDED"')).toBe(true);
    expect(run('stage("build").status == "SUCCEEDED"')).toBe(false);
    expect(
      run(
        'stage("canary-analysis").outputs.score >= 90 && stage("canary-analysis").outputs.verdict == "pass"',
      ),
    ).toBe(true);
    expect(run('trigger.branch == "main" && trigger.sha != "0000000"')).toBe(true);
  });

  it('treats a stage that has not started as NOT_STARTED and missing values as null', () => {
    expect(run('stage("deploy").status == "NOT_STARTED"')).toBe(true);
    expect(run('stage("build").outputs.imageUrl == null')).toBe(true);
    expect(run('trigger.tag == null')).toBe(true);
    expect(run('trigger.tag matches "v*"')).toBe(false);
  });

  it('supports !, ||, in, matches and ordering of strings', () => {
    expect(run('!(trigger.branch == "dev") || false')).toBe(true);
    expect(run('stage("build").status in ["FAILED", "TERMINAL"]')).toBe(true);
    expect(run('trigger.branch matches "ma*"')).toBe(true);
    expect(run('"a" < "b" && 2 <= 2 && 3 > 2.5')).toBe(true);
  });

  it('short-circuits: the right side is not evaluated when the left decides', () => {
    expect(run('false && stage("canary-analysis").outputs.verdict > 3')).toBe(false);
    expect(run('true || stage("canary-analysis").outputs.verdict > 3')).toBe(true);
  });

  it('fails with a type error when incompatible values meet at run time', () => {
    expect(() => run('stage("canary-analysis").outputs.verdict > 3')).toThrow(
      new ExpressionError(
        'cannot order string "pass" and number 3 with >: both must be numbers or both strings',
        0,
        44,
      ),
    );
    expect(() => run('stage("canary-analysis").outputs.score == "92.5"')).toThrow(
      'cannot compare number 92.5 with string "92.5"',
    );
    expect(() => run('stage("canary-analysis").outputs.verdict')).toThrow(
      'the expression must be true or false, but is string "pass"',
    );
    expect(() => run('!stage("canary-analysis").outputs.score')).toThrow(
      'the operand of "!" must be true or false',
    );
  });
});

describe('staticProblems', () => {
  const problems = (text: string) => staticProblems(parsed(text));

  it('accepts well-typed expressions', () => {
    expect(problems('stage("a").status == "SUCCEEDED" && stage("a").outputs.score > 3')).toEqual([]);
    expect(problems('stage("a").outputs.passed')).toEqual([]);
  });

  it('finds mistakes visible before running', () => {
    expect(problems('stage("a").status == "SUCCEDED"')).toEqual([
      { message: '"SUCCEDED" is not a stage status', offset: 21, hint: 'did you mean "SUCCEEDED"?' },
    ]);
    expect(problems('trigger.branch')).toMatchObject([
      { message: 'the expression must be true or false, but is a string' },
    ]);
    expect(problems('trigger.branch == 3')).toMatchObject([
      { message: 'cannot compare a string with a number' },
    ]);
    expect(problems('true < false')).toMatchObject([{ message: '"<" orders numbers or strings only' }]);
    expect(problems('"main" && true')).toMatchObject([
      { message: 'the left side of "&&" must be true or false, but is a string' },
    ]);
    expect(problems('stage("a").status in ["FAILED", "CANCELLED"]')).toMatchObject([
      { hint: 'did you mean "CANCELED"?' },
    ]);
  });
});
