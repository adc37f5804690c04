export { ReportError } from './reports/report-error.js';
export {
  AUDIT_SEVERITIES,
  type AuditReport,
  type CoverageReport,
  type DuplicationReport,
  type FileCoverage,
  type LintReport,
  type ParsedReport,
  type TestReport,
} from './reports/model.js';
export { parseReport, REPORT_FORMATS, REPORT_KIND_NAMES, type ReportKind } from './reports/parse-report.js';
export {
  DEFAULT_EFFORT_MINUTES,
  DEFAULT_RULES,
  type Issue,
  type IssueType,
  ISSUE_TYPES,
  RuleClassifier,
  type RuleMapping,
  type RuleTable,
  SEVERITIES,
  type Severity,
} from './measures/rules.js';
export {
  formatMeasure,
  type Measures,
  type MetricKey,
  METRIC_KEYS,
  METRICS,
  ratingLetter,
  resolveMetric,
} from './measures/metrics.js';
export { computeMeasures, type ReportSet, type Scope, WHOLE_PROJECT } from './measures/compute.js';
export {
  debtRatio,
  DEVELOPMENT_COST_MINUTES_PER_LINE,
  maintainabilityRating,
  worstSeverityRating,
} from './measures/ratings.js';
export { type ChangedLines, ChangedLinesIndex, mergeRanges, parseUnifiedDiff } from './measures/new-code.js';
export { SubProjects } from './measures/sub-projects.js';
export {
  type Condition,
  DEFAULT_GATE,
  GateDefinitionError,
  GateFile,
  gateFromDefinition,
  OPERATORS,
  type Operator,
  type QualityGate,
} from './gate/gate.js';
export {
  type ConditionResult,
  type ConditionStatus,
  describeCondition,
  evaluateCondition,
  evaluateQuality,
  type EvaluateOptions,
  gateProject,
  type GateStatus,
  measureDelta,
  type ProjectResult,
  type QualityResult,
  readReports,
  type ReadReports,
  renderResult,
  type ReportInput,
  type UnreadableReport,
  worstStatus,
} from './gate/evaluate.js';
