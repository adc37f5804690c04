/** The measures the gate reads, named as SonarQube names them (so a Sonar gate reads the same). */

export type MetricKind = 'percent' | 'count' | 'rating' | 'minutes';

export interface MetricInfo {
  name: string;
  kind: MetricKind;
  /** True when a higher value is better (coverage); false when lower is better (bugs, ratings). */
  higherIsBetter: boolean;
}

const pct = (name: string): MetricInfo => ({ name, kind: 'percent', higherIsBetter: true });
const worse = (name: string, kind: MetricKind = 'count'): MetricInfo => ({
  name,
  kind,
  higherIsBetter: false,
});

export const METRICS = {
  coverage: pct('Coverage (lines and branches)'),
  line_coverage: pct('Line coverage'),
  branch_coverage: pct('Branch coverage'),
  function_coverage: pct('Function coverage'),
  lines_to_cover: { name: 'Lines to cover', kind: 'count', higherIsBetter: true },
  uncovered_lines: worse('Uncovered lines'),
  conditions_to_cover: { name: 'Branches to cover', kind: 'count', higherIsBetter: true },
  uncovered_conditions: worse('Uncovered branches'),
  ncloc: { name: 'Lines of code', kind: 'count', higherIsBetter: true },
  violations: worse('Issues'),
  blocker_violations: worse('Blocker issues'),
  critical_violations: worse('Critical issues'),
  major_violations: worse('Major issues'),
  minor_violations: worse('Minor issues'),
  info_violations: worse('Info issues'),
  bugs: worse('Bugs'),
  vulnerabilities: worse('Vulnerabilities'),
  code_smells: worse('Code smells'),
  sqale_index: worse('Technical debt (minutes)', 'minutes'),
  sqale_debt_ratio: worse('Technical debt ratio', 'percent'),
  sqale_rating: worse('Maintainability rating', 'rating'),
  reliability_rating: worse('Reliability rating', 'rating'),
  security_rating: worse('Security rating', 'rating'),
  duplicated_blocks: worse('Duplicated blocks'),
  duplicated_lines: worse('Duplicated lines'),
  duplicated_files: worse('Files with duplication'),
  duplicated_lines_density: worse('Duplicated lines (%)', 'percent'),
  tests: { name: 'Tests', kind: 'count', higherIsBetter: true },
  test_failures: worse('Failed tests'),
  test_errors: worse('Tests in error'),
  skipped_tests: worse('Skipped tests'),
  test_success_density: pct('Test success (%)'),
  vulnerable_dependencies: worse('Vulnerable dependencies'),
  audit_critical: worse('Dependencies with critical advisories'),
  audit_high: worse('Dependencies with high advisories'),
  audit_moderate: worse('Dependencies with moderate advisories'),
  audit_low: worse('Dependencies with low advisories'),
  audit_info: worse('Dependencies with info advisories'),
  // On new code: the lines changed since the previous main build.
  new_lines: { name: 'New lines', kind: 'count', higherIsBetter: true },
  new_coverage: pct('Coverage on new code'),
  new_line_coverage: pct('Line coverage on new code'),
  new_branch_coverage: pct('Branch coverage on new code'),
  new_lines_to_cover: { name: 'Lines to cover on new code', kind: 'count', higherIsBetter: true },
  new_uncovered_lines: worse('Uncovered lines on new code'),
  new_conditions_to_cover: { name: 'Branches to cover on new code', kind: 'count', higherIsBetter: true },
  new_uncovered_conditions: worse('Uncovered branches on new code'),
  new_violations: worse('New issues'),
  new_blocker_violations: worse('New blocker issues'),
  new_critical_violations: worse('New critical issues'),
  new_major_violations: worse('New major issues'),
  new_minor_violations: worse('New minor issues'),
  new_info_violations: worse('New info issues'),
  new_bugs: worse('New bugs'),
  new_vulnerabilities: worse('New vulnerabilities'),
  new_code_smells: worse('New code smells'),
  new_technical_debt: worse('Technical debt on new code (minutes)', 'minutes'),
  new_sqale_debt_ratio: worse('Technical debt ratio on new code', 'percent'),
  new_maintainability_rating: worse('Maintainability rating on new code', 'rating'),
  new_reliability_rating: worse('Reliability rating on new code', 'rating'),
  new_security_rating: worse('Security rating on new code', 'rating'),
  new_duplicated_lines: worse('Duplicated lines on new code'),
  new_duplicated_lines_density: worse('Duplicated lines on new code (%)', 'percent'),
} satisfies Record<string, MetricInfo>;

export type MetricKey = keyof typeof METRICS;
export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** Measures of one project or sub-project: a metric is absent when no report gave it. */
export type Measures = Partial<Record<MetricKey, number>>;

/** Other names a gate may use for a metric (SonarQube's UI names and its newer keys). */
export const METRIC_ALIASES: Record<string, MetricKey> = {
  maintainability_rating: 'sqale_rating',
  technical_debt: 'sqale_index',
  new_sqale_rating: 'new_maintainability_rating',
  duplicated_lines_percent: 'duplicated_lines_density',
  failed_tests: 'test_failures',
};

/** The metric a condition on new code reads (`coverage` on new code is `new_coverage`). */
export function newCodeMetric(key: MetricKey): MetricKey | undefined {
  if (key.startsWith('new_')) return key;
  const renamed: Partial<Record<MetricKey, MetricKey>> = {
    sqale_rating: 'new_maintainability_rating',
    sqale_index: 'new_technical_debt',
  };
  const candidate = renamed[key] ?? (`new_${key}` as MetricKey);
  return candidate in METRICS ? candidate : undefined;
}

export function resolveMetric(name: string): MetricKey | undefined {
  if (name in METRICS) return name as MetricKey;
  return METRIC_ALIASES[name];
}

const RATING_LETTERS = ['A', 'B', 'C', 'D', 'E'] as const;
export type RatingLetter = (typeof RATING_LETTERS)[number];

/** SonarQube stores ratings as 1 (A) to 5 (E). */
export function ratingLetter(value: number): RatingLetter {
  return RATING_LETTERS[Math.min(4, Math.max(0, Math.round(value) - 1))]!;
}

/** A value as a person reads it: 92.4%, 3, B, 25min. */
export function formatMeasure(key: MetricKey, value: number): string {
  const kind = METRICS[key].kind;
  if (kind === 'rating') return ratingLetter(value);
  if (kind === 'percent') return `${Math.round(value * 10) / 10}%`;
  if (kind === 'minutes') return `${value}min`;
  return String(value);
}
