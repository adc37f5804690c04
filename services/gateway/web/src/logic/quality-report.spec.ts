import { describe, expect, it } from '@jest/globals';
import { conditionRows, formatMetric, metricLabel, qualitySections } from './quality-report.js';

describe('the quality report', () => {
  it('says each condition with its actual value, thresholds in words and status', () => {
    const [row] = conditionRows([
      {
        metric: 'coverage',
        operator: 'lt',
        threshold: 92,
        errorThreshold: 92,
        warningThreshold: 95,
        actual: 93.25,
        passed: true,
        status: 'WARN',
      },
    ]);
    expect(row).toEqual({
      metric: 'coverage',
      label: 'Coverage',
      actual: '93.3 %',
      threshold: 'fails below 92.0 %, warns below 95.0 %',
      status: 'WARN',
      delta: undefined,
      deltaTrend: undefined,
    });
  });

  it('tells better from worse by the direction the condition wants', () => {
    const rows = conditionRows(
      [
        { metric: 'coverage', operator: 'lt', threshold: 80, actual: 85, passed: true },
        { metric: 'bugs', operator: 'gt', threshold: 0, actual: 2, passed: false },
        {
          metric: 'maintainability_rating',
          operator: 'gt',
          threshold: 1,
          actual: 1,
          passed: true,
          onNewCode: true,
        },
        { metric: 'code_smells', operator: 'gt', threshold: 10, actual: 3, passed: true },
      ],
      { coverage: 1.25, bugs: 2, new_maintainability_rating: -1, code_smells: 0 },
    );
    expect(rows.map((r) => [r.label, r.delta, r.deltaTrend])).toEqual([
      ['Coverage', '+1.3 % better', 'better'],
      ['Bugs', '+2 worse', 'worse'],
      ['Maintainability rating on new code', '−1 grade better', 'better'],
      ['Code smells', 'no change', 'same'],
    ]);
    expect(rows[1]!.status).toBe('ERROR');
  });

  it('shows ratings as letters and a missing value as such', () => {
    expect(formatMetric('security_rating', 3)).toBe('C');
    expect(formatMetric('bugs', undefined)).toBe('no value');
    expect(conditionRows([{ metric: 'tests', operator: 'lt', threshold: 1, passed: true }])[0]!.status).toBe(
      'NO_VALUE',
    );
    expect(metricLabel('new_thing')).toBe('New thing');
  });

  it('puts the whole project first (with the delta), then each sub-project', () => {
    const sections = qualitySections({
      gate: 'failed',
      conditions: [{ metric: 'coverage', operator: 'lt', threshold: 80, actual: 70, passed: false }],
      delta: { coverage: -2 },
      subProjects: [{ name: 'api/v2', status: 'OK', conditions: [] }],
    });
    expect(sections.map((s) => [s.name, s.status])).toEqual([
      ['(project)', 'ERROR'],
      ['api/v2', 'OK'],
    ]);
    expect(sections[0]!.rows[0]!.delta).toBe('−2.0 % worse');
  });
});
