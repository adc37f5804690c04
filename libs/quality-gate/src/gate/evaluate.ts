import { computeMeasures, type ReportSet, type Scope, WHOLE_PROJECT } from '../measures/compute.js';
import { formatMeasure, type MetricKey, type Measures } from '../measures/metrics.js';
import { type ChangedLines, ChangedLinesIndex } from '../measures/new-code.js';
import { RuleClassifier } from '../measures/rules.js';
import { SubProjects } from '../measures/sub-projects.js';
import { type CoverageReport, type ParsedReport } from '../reports/model.js';
import { parseReport, type ReportKind } from '../reports/parse-report.js';
import { ReportError } from '../reports/report-error.js';
import { type Condition, conditionMetric, metricName, type Operator, type QualityGate } from './gate.js';

export type GateStatus = 'OK' | 'WARN' | 'ERROR';
export type ConditionStatus = GateStatus | 'NO_VALUE';

export interface ConditionResult {
  /** The metric read (`new_coverage` for a coverage condition on new code). */
  metric: MetricKey;
  op: Operator;
  onNewCode: boolean;
  error?: number;
  warning?: number;
  actual?: number;
  status: ConditionStatus;
}

export interface ProjectResult {
  /** `(project)` for the whole, else the sub-project's folder (`api/v1`). */
  name: string;
  status: GateStatus;
  conditions: ConditionResult[];
  measures: Measures;
}

export interface UnreadableReport {
  kind: ReportKind;
  file: string;
  problem: string;
}

export interface QualityResult {
  status: GateStatus;
  gate: string;
  project: ProjectResult;
  subProjects: ProjectResult[];
  /** The projects whose gate failed (`(project)`, `api/v2`...). */
  failing: string[];
  /** Reports that could not be read: the gate fails ("report unreadable"). */
  unreadable: UnreadableReport[];
  /** The reports read, and which one the coverage came from. */
  reports: { kind: ReportKind; file: string }[];
  coverageFrom?: ReportKind;
  newCode: { available: boolean; reason?: string; files?: number; lines?: number };
}

export interface ReportInput {
  kind: ReportKind;
  /** A name for messages: the path, or the artifact it was read from. */
  file: string;
  content: string | Uint8Array;
}

export interface ReadReports {
  parsed: { kind: ReportKind; file: string; report: ParsedReport }[];
  unreadable: UnreadableReport[];
}

/** Parses every report; those that fail are listed with the problem, never thrown. */
export function readReports(inputs: readonly ReportInput[]): ReadReports {
  const out: ReadReports = { parsed: [], unreadable: [] };
  for (const input of inputs) {
    try {
      out.parsed.push({
        kind: input.kind,
        file: input.file,
        report: parseReport(input.kind, input.file, input.content),
      });
    } catch (error) {
      if (!(error instanceof ReportError)) throw error;
      out.unreadable.push({ kind: input.kind, file: error.file, problem: error.problem });
    }
  }
  return out;
}

/** Line-level coverage first (LCOV, then Cobertura): only it gives coverage on new code. */
const COVERAGE_PREFERENCE: ReportKind[] = ['coverage', 'cobertura', 'coverageSummary'];

function reportSet(read: ReadReports, gate: QualityGate): { set: ReportSet; coverageFrom?: ReportKind } {
  const set: ReportSet = {};
  let coverageFrom: ReportKind | undefined;
  for (const kind of COVERAGE_PREFERENCE) {
    const found = read.parsed.find((p) => p.kind === kind);
    if (found && !set.coverage) {
      set.coverage = found.report as CoverageReport;
      coverageFrom = kind;
    }
  }
  const classifier = new RuleClassifier(gate.rules);
  for (const { report } of read.parsed) {
    if (report.kind === 'lint') set.issues = [...(set.issues ?? []), ...classifier.classifyAll(report)];
    else if (report.kind === 'duplication') set.duplication = report;
    else if (report.kind === 'audit') set.audit = report;
    else if (report.kind === 'tests') set.tests = report;
  }
  return { set, ...(coverageFrom ? { coverageFrom } : {}) };
}

function violates(value: number, op: Operator, threshold: number): boolean {
  return op === 'gt' ? value > threshold : value < threshold;
}

export function evaluateCondition(condition: Condition, measures: Measures): ConditionResult {
  const metric = conditionMetric(condition);
  const actual = measures[metric];
  const base = {
    metric,
    op: condition.op,
    onNewCode: condition.onNewCode,
    ...(condition.error !== undefined ? { error: condition.error } : {}),
    ...(condition.warning !== undefined ? { warning: condition.warning } : {}),
  };
  if (actual === undefined) return { ...base, status: 'NO_VALUE' };
  const status: ConditionStatus =
    condition.error !== undefined && violates(actual, condition.op, condition.error)
      ? 'ERROR'
      : condition.warning !== undefined && violates(actual, condition.op, condition.warning)
        ? 'WARN'
        : 'OK';
  return { ...base, actual, status };
}

const RANK: Record<GateStatus, number> = { OK: 0, WARN: 1, ERROR: 2 };
export const worstStatus = (statuses: Iterable<GateStatus>): GateStatus => {
  let worst: GateStatus = 'OK';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
};

export function gateProject(gate: QualityGate, name: string, measures: Measures): ProjectResult {
  const conditions = gate.conditions.map((c) => evaluateCondition(c, measures));
  const status = worstStatus(conditions.map((c) => (c.status === 'NO_VALUE' ? 'OK' : c.status)));
  return { name, status, conditions, measures };
}

function reportPaths(set: ReportSet): Set<string> {
  const paths = new Set<string>();
  for (const f of set.coverage?.files ?? []) paths.add(f.path);
  for (const i of set.issues ?? []) if (i.path) paths.add(i.path);
  for (const b of set.duplication?.blocks ?? []) paths.add(b.path);
  for (const c of set.tests?.cases ?? []) if (c.file) paths.add(c.file);
  return paths;
}

export interface EvaluateOptions {
  gate: QualityGate;
  /** Lines changed since the previous main build; without them, new-code conditions have no value. */
  changedLines?: ChangedLines;
  /** Why the changed lines are not known (first main build, no base commit...). */
  newCodeReason?: string;
}

/**
 * Gates the reports: the whole project and each sub-project, every condition with its actual value,
 * thresholds and status. An unreadable report, or no report at all, fails the gate.
 */
export function evaluateQuality(read: ReadReports, options: EvaluateOptions): QualityResult {
  const { gate } = options;
  const { set, coverageFrom } = reportSet(read, gate);
  const changed = options.changedLines ? new ChangedLinesIndex(options.changedLines) : undefined;
  const project = gateProject(gate, WHOLE_PROJECT.name, computeMeasures(set, WHOLE_PROJECT, changed));
  const scopes: Scope[] =
    gate.subProjects.length > 0 ? new SubProjects(gate.subProjects).scopes(reportPaths(set)) : [];
  const subProjects = scopes.map((scope) =>
    gateProject(gate, scope.name, computeMeasures(set, scope, changed)),
  );
  const unreadable = [...read.unreadable];
  if (read.parsed.length === 0 && unreadable.length === 0)
    unreadable.push({ kind: 'coverage', file: '(none)', problem: 'no report was given to gate' });
  const projects = [project, ...subProjects];
  const failing = projects.filter((p) => p.status === 'ERROR').map((p) => p.name);
  const status = unreadable.length > 0 ? 'ERROR' : worstStatus(projects.map((p) => p.status));
  const changedFiles = options.changedLines ? Object.values(options.changedLines) : undefined;
  return {
    status,
    gate: gate.name,
    project,
    subProjects,
    failing,
    unreadable,
    reports: read.parsed.map(({ kind, file }) => ({ kind, file })),
    ...(coverageFrom ? { coverageFrom } : {}),
    newCode: changedFiles
      ? { available: true, files: changedFiles.length, lines: project.measures.new_lines ?? 0 }
      : {
          available: false,
          reason: options.newCodeReason ?? 'the lines changed since the previous main build are not known',
        },
  };
}

/** Each metric's change since an earlier build (only metrics both builds have). */
export function measureDelta(current: Measures, previous: Measures): Measures {
  const delta: Measures = {};
  for (const [key, value] of Object.entries(current) as [MetricKey, number][]) {
    const before = previous[key];
    if (before !== undefined) delta[key] = Math.round((value - before) * 1000) / 1000;
  }
  return delta;
}

function thresholdText(c: ConditionResult): string {
  const sign = c.op === 'gt' ? '>' : '<';
  const parts = [];
  if (c.error !== undefined) parts.push(`error ${sign} ${formatMeasure(c.metric, c.error)}`);
  if (c.warning !== undefined) parts.push(`warning ${sign} ${formatMeasure(c.metric, c.warning)}`);
  return parts.join(', ');
}

/** A condition in words: `Coverage 91.2% (error < 92%, warning < 95%): ERROR`. */
export function describeCondition(c: ConditionResult): string {
  const actual = c.actual === undefined ? 'no value' : formatMeasure(c.metric, c.actual);
  return `${metricName(c.metric)} ${actual} (${thresholdText(c)}): ${c.status}`;
}

/** What a person reads: the verdict, unreadable reports, then each project's conditions. */
export function renderResult(result: QualityResult): string {
  const lines = [
    `Quality gate "${result.gate}": ${result.status}${result.failing.length ? ` (failing: ${result.failing.join(', ')})` : ''}`,
  ];
  for (const u of result.unreadable) lines.push(`  report unreadable: ${u.file}: ${u.problem}`);
  for (const p of [result.project, ...result.subProjects]) {
    lines.push('', `${p.name}: ${p.status}`);
    for (const c of p.conditions)
      lines.push(
        `  ${c.status === 'OK' ? ' ' : c.status === 'NO_VALUE' ? '?' : '✗'} ${describeCondition(c)}`,
      );
  }
  if (!result.newCode.available) lines.push('', `New code: not evaluated (${result.newCode.reason})`);
  else lines.push('', `New code: ${result.newCode.lines} changed lines in ${result.newCode.files} files`);
  return `${lines.join('\n')}\n`;
}
