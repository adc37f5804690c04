/** What the quality report page shows: each project's conditions, and the change since the last main build. */

export interface ConditionInput {
  metric: string;
  operator: 'lt' | 'lte' | 'gt' | 'gte' | 'eq';
  threshold: number;
  actual?: number | undefined;
  passed: boolean;
  status?: string | undefined;
  errorThreshold?: number | undefined;
  warningThreshold?: number | undefined;
  onNewCode?: boolean | undefined;
}

export interface ConditionRow {
  metric: string;
  label: string;
  actual: string;
  /** `fails below 92 %, warns below 95 %`. */
  threshold: string;
  status: string;
  /** `+1.2 % better`, absent without a previous main build. */
  delta: string | undefined;
  deltaTrend: 'better' | 'worse' | 'same' | undefined;
}

const LABELS: Record<string, string> = {
  coverage: 'Coverage',
  line_coverage: 'Line coverage',
  branch_coverage: 'Branch coverage',
  duplicated_lines_density: 'Duplicated lines',
  duplicated_blocks: 'Duplicated blocks',
  bugs: 'Bugs',
  vulnerabilities: 'Vulnerabilities',
  code_smells: 'Code smells',
  blocker_violations: 'Blocker issues',
  major_violations: 'Major issues',
  maintainability_rating: 'Maintainability rating',
  reliability_rating: 'Reliability rating',
  security_rating: 'Security rating',
  tests: 'Tests',
  test_failures: 'Test failures',
};

const isPercent = (metric: string) => /coverage|density/.test(metric);
const isRating = (metric: string) => metric.endsWith('_rating');

export function metricLabel(metric: string, onNewCode = false): string {
  const label = LABELS[metric] ?? metric.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return onNewCode ? `${label} on new code` : label;
}

/** 1 -> A ... 5 -> E for ratings; percentages with one decimal; counts as they are. */
export function formatMetric(metric: string, value: number | undefined): string {
  if (value === undefined) return 'no value';
  if (isRating(metric)) return 'ABCDE'[Math.round(value) - 1] ?? String(value);
  if (isPercent(metric)) return `${value.toFixed(1)} %`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const WORDS: Record<ConditionInput['operator'], string> = {
  lt: 'below',
  lte: 'at or below',
  gt: 'above',
  gte: 'at or above',
  eq: 'at',
};

function thresholdWords(c: ConditionInput): string {
  const words = WORDS[c.operator];
  const parts: string[] = [];
  const error = c.errorThreshold ?? (c.warningThreshold === undefined ? c.threshold : undefined);
  if (error !== undefined) parts.push(`fails ${words} ${formatMetric(c.metric, error)}`);
  if (c.warningThreshold !== undefined)
    parts.push(`warns ${words} ${formatMetric(c.metric, c.warningThreshold)}`);
  return parts.join(', ');
}

function deltaOf(c: ConditionInput, delta: Record<string, number> | undefined) {
  const key = c.onNewCode ? `new_${c.metric}` : c.metric;
  const change = delta?.[key];
  if (change === undefined) return { delta: undefined, deltaTrend: undefined };
  if (change === 0) return { delta: 'no change', deltaTrend: 'same' as const };
  // A condition that fails below its threshold wants the metric higher, and the other way round.
  const higherIsBetter = c.operator === 'lt' || c.operator === 'lte';
  const better = change > 0 === higherIsBetter;
  const amount = isRating(c.metric)
    ? `${Math.abs(change)} grade${Math.abs(change) === 1 ? '' : 's'}`
    : isPercent(c.metric)
      ? `${Math.abs(change).toFixed(1)} %`
      : String(Math.abs(Number(change.toFixed(2))));
  return {
    delta: `${change > 0 ? '+' : '−'}${amount} ${better ? 'better' : 'worse'}`,
    deltaTrend: better ? ('better' as const) : ('worse' as const),
  };
}

export function conditionRows(conditions: ConditionInput[], delta?: Record<string, number>): ConditionRow[] {
  return conditions.map((c) => ({
    metric: c.metric,
    label: metricLabel(c.metric, c.onNewCode),
    actual: formatMetric(c.metric, c.actual),
    threshold: thresholdWords(c),
    status: c.status ?? (c.actual === undefined ? 'NO_VALUE' : c.passed ? 'OK' : 'ERROR'),
    ...deltaOf(c, delta),
  }));
}

export interface ProjectSection {
  name: string;
  status: string;
  rows: ConditionRow[];
}

/** The whole project first (with the delta from the previous main build), then each sub-project. */
export function qualitySections(report: {
  status?: string | undefined;
  gate: string;
  conditions: ConditionInput[];
  delta?: Record<string, number> | undefined;
  subProjects?: Array<{ name: string; status: string; conditions: ConditionInput[] }> | undefined;
}): ProjectSection[] {
  const whole = report.status ?? (report.gate === 'passed' ? 'OK' : 'ERROR');
  return [
    { name: '(project)', status: whole, rows: conditionRows(report.conditions, report.delta) },
    ...(report.subProjects ?? []).map((p) => ({
      name: p.name,
      status: p.status,
      rows: conditionRows(p.conditions),
    })),
  ];
}
