import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { type Condition, DEFAULT_GATE, gateFromDefinition, type QualityGate } from './gate.js';
import {
  describeCondition,
  evaluateCondition,
  evaluateQuality,
  measureDelta,
  readReports,
  renderResult,
} from './evaluate.js';

const condition = (c: Partial<Condition> & Pick<Condition, 'metric' | 'op'>): Condition => ({
  onNewCode: false,
  ...c,
});

describe('conditions', () => {
  it('gt: above the error threshold fails, above the warning warns, at it passes', () => {
    const c = condition({ metric: 'code_smells', op: 'gt', error: 10, warning: 0 });
    expect(evaluateCondition(c, { code_smells: 11 }).status).toBe('ERROR');
    expect(evaluateCondition(c, { code_smells: 10 }).status).toBe('WARN');
    expect(evaluateCondition(c, { code_smells: 1 }).status).toBe('WARN');
    expect(evaluateCondition(c, { code_smells: 0 }).status).toBe('OK');
  });

  it('lt: below the error threshold fails, below the warning warns, at it passes', () => {
    const c = condition({ metric: 'coverage', op: 'lt', error: 92, warning: 95 });
    expect(evaluateCondition(c, { coverage: 91.99 })).toEqual({ ...c, actual: 91.99, status: 'ERROR' });
    expect(evaluateCondition(c, { coverage: 92 }).status).toBe('WARN');
    expect(evaluateCondition(c, { coverage: 94.9 }).status).toBe('WARN');
    expect(evaluateCondition(c, { coverage: 95 }).status).toBe('OK');
  });

  it('a condition with only an error (or only a warning) threshold', () => {
    expect(evaluateCondition(condition({ metric: 'bugs', op: 'gt', error: 0 }), { bugs: 1 }).status).toBe(
      'ERROR',
    );
    expect(evaluateCondition(condition({ metric: 'bugs', op: 'gt', warning: 0 }), { bugs: 1 }).status).toBe(
      'WARN',
    );
  });

  it('a metric no report gave has no value and does not fail', () => {
    const result = evaluateCondition(condition({ metric: 'coverage', op: 'lt', error: 92 }), { bugs: 0 });
    expect(result).toEqual({ metric: 'coverage', op: 'lt', onNewCode: false, error: 92, status: 'NO_VALUE' });
  });

  it('on new code reads the new-code metric', () => {
    const c = condition({ metric: 'coverage', op: 'lt', error: 80, onNewCode: true });
    expect(evaluateCondition(c, { coverage: 99, new_coverage: 50 })).toMatchObject({
      metric: 'new_coverage',
      actual: 50,
      status: 'ERROR',
    });
    expect(
      evaluateCondition(condition({ metric: 'sqale_rating', op: 'gt', error: 1, onNewCode: true }), {
        new_maintainability_rating: 2,
      }).status,
    ).toBe('ERROR');
  });

  it('is described the way a person reads it', () => {
    const c = evaluateCondition(condition({ metric: 'coverage', op: 'lt', error: 92, warning: 95 }), {
      coverage: 91.234,
    });
    expect(describeCondition(c)).toBe(
      'Coverage (lines and branches) 91.2% (error < 92%, warning < 95%): ERROR',
    );
    expect(
      describeCondition(
        evaluateCondition(condition({ metric: 'reliability_rating', op: 'gt', error: 1 }), {
          reliability_rating: 3,
        }),
      ),
    ).toBe('Reliability rating C (error > A): ERROR');
  });
});

describe('the built-in default gate is the team’s SonarQube gate', () => {
  const gate = (measures: Record<string, number>) =>
    DEFAULT_GATE.conditions
      .map((c) => evaluateCondition(c, measures))
      .filter((r) => r.status !== 'OK')
      .map((r) => `${r.metric}:${r.status}`);
  const clean = {
    blocker_violations: 0,
    bugs: 0,
    code_smells: 0,
    duplicated_blocks: 0,
    major_violations: 0,
    vulnerabilities: 0,
    coverage: 95,
    sqale_rating: 1,
    reliability_rating: 1,
    security_rating: 1,
  };

  it('passes a clean project with 95 % coverage', () => expect(gate(clean)).toEqual([]));
  it('warns under 95 % and fails under 92 %', () => {
    expect(gate({ ...clean, coverage: 94 })).toEqual(['coverage:WARN']);
    expect(gate({ ...clean, coverage: 91.9 })).toEqual(['coverage:ERROR']);
  });
  it('fails on any blocker, bug, code smell, duplicated block, major issue or vulnerability', () => {
    for (const metric of [
      'blocker_violations',
      'bugs',
      'code_smells',
      'duplicated_blocks',
      'major_violations',
      'vulnerabilities',
    ])
      expect(gate({ ...clean, [metric]: 1 })).toEqual([`${metric}:ERROR`]);
  });
  it('fails on any rating worse than A', () => {
    for (const metric of ['sqale_rating', 'reliability_rating', 'security_rating'])
      expect(gate({ ...clean, [metric]: 2 })).toEqual([`${metric}:ERROR`]);
  });
});

describe('gate files', () => {
  it('reads a YAML gate with aliases, rating letters, new-code conditions, sub-projects and rules', () => {
    const gate = gateFromDefinition(
      parseYaml(`
name: strict
extends: default
subProjects: ['api/v*']
conditions:
  - { metric: coverage, op: lt, error: 80, onNewCode: true }
  - { metric: maintainability_rating, op: gt, error: B }
rules:
  no-console: { type: bug, severity: critical }
`),
    );
    expect(gate.name).toBe('strict');
    expect(gate.conditions).toHaveLength(DEFAULT_GATE.conditions.length + 2);
    expect(gate.conditions.at(-2)).toEqual({ metric: 'coverage', op: 'lt', error: 80, onNewCode: true });
    expect(gate.conditions.at(-1)).toEqual({ metric: 'sqale_rating', op: 'gt', error: 2, onNewCode: false });
    expect(gate.subProjects).toEqual(['api/v*']);
    expect(gate.rules).toEqual({ 'no-console': { type: 'bug', severity: 'critical' } });
  });

  it('refuses a bad gate, naming every problem', () => {
    expect(() =>
      gateFromDefinition({
        conditions: [
          { metric: 'covrage', op: 'lt', error: 1 },
          { metric: 'bugs', op: 'ge', error: 0 },
          { metric: 'ncloc', op: 'gt', error: 1, onNewCode: true },
          { metric: 'bugs', op: 'gt' },
        ],
      }),
    ).toThrow(
      'conditions.0.metric: unknown metric "covrage"; conditions.1.op: Invalid option: expected one of "gt"|"lt"; conditions.2.onNewCode: ncloc has no value on new code; conditions.3: a condition needs an error or a warning threshold',
    );
    expect(() => gateFromDefinition({ name: 'empty' })).toThrow('a gate needs at least one condition');
  });
});

describe('results', () => {
  const lcov = (file: string, hits: number[]) =>
    `SF:${file}\n${hits.map((h, i) => `DA:${i + 1},${h}`).join('\n')}\nend_of_record\n`;

  it('WARN overall when the worst condition warns; every condition is listed with its actual value and thresholds', () => {
    const at = (covered: number, total: number) =>
      evaluateQuality(
        readReports([
          {
            kind: 'coverage',
            file: 'lcov.info',
            content: lcov(
              'src/a.js',
              Array.from({ length: total }, (_, i) => (i < covered ? 1 : 0)),
            ),
          },
        ]),
        { gate: DEFAULT_GATE },
      );
    const exactly95 = at(19, 20);
    expect(exactly95.status).toBe('OK');
    expect(exactly95.project.conditions.find((c) => c.metric === 'coverage')).toEqual({
      metric: 'coverage',
      op: 'lt',
      onNewCode: false,
      error: 92,
      warning: 95,
      actual: 95,
      status: 'OK',
    });
    const warned = at(37, 40);
    expect(warned.status).toBe('WARN');
    expect(warned.failing).toEqual([]);
    expect(warned.project.conditions.filter((c) => c.status === 'NO_VALUE').map((c) => c.metric)).toEqual([
      'blocker_violations',
      'bugs',
      'code_smells',
      'duplicated_blocks',
      'major_violations',
      'vulnerabilities',
      'sqale_rating',
      'reliability_rating',
      'security_rating',
    ]);
    expect(renderResult(warned)).toContain(
      '✗ Coverage (lines and branches) 92.5% (error < 92%, warning < 95%): WARN',
    );
    expect(at(36, 40).status).toBe('ERROR');
  });

  it('sub-projects: each folder gated alone; the overall fails when one does, and says which', () => {
    const gate: QualityGate = {
      ...DEFAULT_GATE,
      conditions: [{ metric: 'coverage', op: 'lt', error: 80, onNewCode: false }],
      subProjects: ['api/v*'],
    };
    const read = readReports([
      {
        kind: 'coverage',
        file: 'lcov.info',
        content:
          lcov('/ws/repo/api/v1/a.js', [1, 1, 1, 1, 1]) +
          lcov('/ws/repo/api/v2/b.js', [1, 1, 0, 0, 0]) +
          lcov('/ws/repo/lib/c.js', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      },
    ]);
    const result = evaluateQuality(read, { gate });
    expect(result.project.measures.coverage).toBe(85);
    expect(result.subProjects.map((p) => [p.name, p.measures.coverage, p.status])).toEqual([
      ['api/v1', 100, 'OK'],
      ['api/v2', 40, 'ERROR'],
    ]);
    expect(result.failing).toEqual(['api/v2']);
    expect(result.status).toBe('ERROR');
  });

  it('the delta from an earlier build, metric by metric', () => {
    expect(measureDelta({ coverage: 93.5, bugs: 2, ncloc: 10 }, { coverage: 95, bugs: 0 })).toEqual({
      coverage: -1.5,
      bugs: 2,
    });
  });
});
