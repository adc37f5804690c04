import { describe, expect, it } from '@jest/globals';
import { referencedStages } from './ast.js';
import { parseExpression } from './parser.js';

function ast(text: string) {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.ast;
}

function failure(text: string) {
  const result = parseExpression(text);
  if (result.ok) throw new Error(`"${text}" parsed`);
  return result.error;
}

describe('parseExpression', () => {
  it('parses a stage status comparison', () => {
    expect(ast('stage("canary-analysis").status == "SUCCEEDED"')).toMatchObject({
      kind: 'compare',
      operator: '==',
      left: { kind: 'stage-status', stageId: 'canary-analysis', idStart: 7 },
      right: { kind: 'literal', value: 'SUCCEEDED' },
    });
  });

  it('gives && precedence over ||, and ! applies to a whole comparison', () => {
    expect(ast('trigger.branch == "main" || trigger.tag != null && !trigger.kind == "manual"')).toMatchObject(
      {
        kind: 'logical',
        operator: '||',
        left: { kind: 'compare', left: { kind: 'trigger', field: 'branch' } },
        right: {
          kind: 'logical',
          operator: '&&',
          right: { kind: 'not', operand: { kind: 'compare', operator: '==' } },
        },
      },
    );
  });

  it('parses literals, lists, in, matches, outputs and parentheses', () => {
    expect(
      ast(
        '(stage("a").outputs.score >= 75.5) && trigger.branch in ["main", \'dev\'] && trigger.branch matches "release/*"',
      ),
    ).toMatchObject({
      kind: 'logical',
      left: {
        kind: 'logical',
        left: {
          kind: 'compare',
          operator: '>=',
          left: { kind: 'stage-output', stageId: 'a', output: 'score' },
          right: { value: 75.5 },
        },
        right: { kind: 'in', list: { kind: 'list', items: [{ value: 'main' }, { value: 'dev' }] } },
      },
      right: { kind: 'matches', pattern: 'release/*' },
    });
    expect(ast('true')).toMatchObject({ kind: 'literal', value: true });
    expect(ast('stage("x").outputs.n == -3')).toMatchObject({ right: { value: -3 } });
    expect(ast('"say \\"hi\\"" == null')).toMatchObject({
      left: { value: 'say "hi"' },
      right: { value: null },
    });
  });

  it('lists the stages an expression reads, once each', () => {
    expect(
      referencedStages(
        ast('stage("a").status == "SUCCEEDED" && stage("b").outputs.x == 1 || stage("a").outputs.y == 2'),
      ),
    ).toEqual(['a', 'b']);
  });

  it('says where the expression is wrong and what was expected', () => {
    expect(failure('stage("a").status = "SUCCEEDED"')).toEqual({
      message: 'unexpected "=" (column 19)',
      offset: 18,
      hint: 'compare with "=="',
    });
    expect(failure('stage("a").status ==')).toMatchObject({
      offset: 20,
      message: expect.stringContaining('expected a value'),
    });
    expect(failure('stage("a").status ==').message).toContain('found the end of the expression');
    expect(failure('(trigger.branch == "main"')).toMatchObject({
      offset: 25,
      message: expect.stringContaining('expected ")" to close the "(" at column 1'),
    });
    expect(failure('stage(a).status')).toMatchObject({
      offset: 6,
      message: expect.stringContaining('expected a quoted stage id'),
    });
    expect(failure('stage("a").stauts')).toMatchObject({ offset: 11, hint: 'did you mean "status"?' });
    expect(failure('trigger.brnch == "main"')).toMatchObject({ offset: 8, hint: 'did you mean "branch"?' });
    expect(failure('"open')).toMatchObject({
      offset: 0,
      message: expect.stringContaining('unterminated string'),
    });
    expect(failure('trigger.branch == "a" and trigger.sha == "b"')).toMatchObject({
      offset: 22,
      hint: 'write "&&" instead of "and"',
    });
    expect(failure('SUCCEEDED == stage("a").status')).toMatchObject({
      offset: 0,
      message: expect.stringContaining('unknown name "SUCCEEDED"'),
    });
  });
});
