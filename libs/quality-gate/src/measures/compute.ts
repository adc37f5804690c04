import {
  AUDIT_SEVERITIES,
  type AuditReport,
  type CoverageReport,
  type DuplicationReport,
  type FileCoverage,
  type TestReport,
} from '../reports/model.js';
import { type Measures } from './metrics.js';
import { type ChangedLinesIndex, countLines, inRanges } from './new-code.js';
import { debtRatio, maintainabilityRating, worstSeverityRating } from './ratings.js';
import { AUDIT_TO_SEVERITY, type Issue, SEVERITIES } from './rules.js';

/** The reports of one build, parsed, with the lint messages classified into issues. */
export interface ReportSet {
  coverage?: CoverageReport;
  issues?: Issue[];
  duplication?: DuplicationReport;
  audit?: AuditReport;
  tests?: TestReport;
}

/** Which files a measure counts: all of them, or a sub-project's. */
export interface Scope {
  name: string;
  /** The whole project: also gets what no file carries (npm audit, the reports' own totals). */
  whole: boolean;
  includes(path: string): boolean;
}

export const WHOLE_PROJECT: Scope = { name: '(project)', whole: true, includes: () => true };

const percent = (part: number, total: number) =>
  total === 0 ? undefined : Math.round((part / total) * 100_000) / 1000;

function set(measures: Measures, key: keyof Measures, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) measures[key] = value;
}

function coverageMeasures(
  report: CoverageReport,
  scope: Scope,
  changed: ChangedLinesIndex | undefined,
  m: Measures,
) {
  const files = report.files.filter((f) => scope.includes(f.path));
  let lf = 0,
    lh = 0,
    bf = 0,
    bh = 0,
    ff = 0,
    fh = 0;
  if (files.length === 0 && scope.whole && report.total) {
    ({ found: lf, hit: lh } = report.total.lines);
    ({ found: bf, hit: bh } = report.total.branches);
    ({ found: ff, hit: fh } = report.total.functions);
  }
  for (const f of files) {
    lf += f.lines.found;
    lh += f.lines.hit;
    bf += f.branches.found;
    bh += f.branches.hit;
    ff += f.functions.found;
    fh += f.functions.hit;
  }
  if (files.length === 0 && !(scope.whole && report.total)) return;
  set(m, 'lines_to_cover', lf);
  set(m, 'uncovered_lines', lf - lh);
  set(m, 'conditions_to_cover', bf);
  set(m, 'uncovered_conditions', bf - bh);
  set(m, 'line_coverage', percent(lh, lf));
  set(m, 'branch_coverage', percent(bh, bf));
  set(m, 'function_coverage', percent(fh, ff));
  // SonarQube's coverage: covered lines and branches over lines and branches to cover.
  set(m, 'coverage', percent(lh + bh, lf + bf));
  set(m, 'ncloc', lf);
  if (changed && files.some((f) => f.detail)) newCoverage(files, changed, m);
}

function newCoverage(files: FileCoverage[], changed: ChangedLinesIndex, m: Measures) {
  let nl = 0,
    nlh = 0,
    nb = 0,
    nbh = 0;
  for (const f of files) {
    const ranges = changed.rangesOf(f.path);
    if (!ranges || !f.detail) continue;
    const { lineNumbers, lineHits, branchLines, branchTaken } = f.detail;
    for (let i = 0; i < lineNumbers.length; i++)
      if (inRanges(ranges, lineNumbers[i]!)) {
        nl++;
        if (lineHits[i]! > 0) nlh++;
      }
    for (let i = 0; i < branchLines.length; i++)
      if (inRanges(ranges, branchLines[i]!)) {
        nb++;
        nbh += branchTaken[i]!;
      }
  }
  set(m, 'new_lines_to_cover', nl);
  set(m, 'new_uncovered_lines', nl - nlh);
  set(m, 'new_conditions_to_cover', nb);
  set(m, 'new_uncovered_conditions', nb - nbh);
  set(m, 'new_line_coverage', percent(nlh, nl));
  set(m, 'new_branch_coverage', percent(nbh, nb));
  set(m, 'new_coverage', percent(nlh + nbh, nl + nb));
}

function issueCounts(issues: readonly Issue[], m: Measures, prefix: '' | 'new_') {
  const key = (name: string) => `${prefix}${name}` as keyof Measures;
  set(m, key('violations'), issues.length);
  for (const severity of SEVERITIES)
    set(m, key(`${severity}_violations`), issues.filter((i) => i.severity === severity).length);
  set(m, key('bugs'), issues.filter((i) => i.type === 'bug').length);
  set(m, key('vulnerabilities'), issues.filter((i) => i.type === 'vulnerability').length);
  set(m, key('code_smells'), issues.filter((i) => i.type === 'code_smell').length);
}

function auditIssues(audit: AuditReport): Issue[] {
  const issues: Issue[] = [];
  for (const severity of AUDIT_SEVERITIES)
    for (let i = 0; i < audit.counts[severity]; i++)
      issues.push({
        rule: 'npm-audit',
        type: 'vulnerability',
        severity: AUDIT_TO_SEVERITY[severity],
        effortMinutes: 0,
        message: `a dependency with a ${severity} advisory`,
      });
  return issues;
}

function duplicatedLines(
  blocks: DuplicationReport['blocks'],
  filter: (path: string, line: number) => boolean,
) {
  const byFile = new Map<string, [number, number][]>();
  for (const b of blocks) {
    const list = byFile.get(b.path) ?? [];
    list.push([b.start, b.end]);
    byFile.set(b.path, list);
  }
  let lines = 0;
  for (const [path, ranges] of byFile) {
    const covered = new Set<number>();
    for (const [start, end] of ranges) for (let l = start; l <= end; l++) if (filter(path, l)) covered.add(l);
    lines += covered.size;
  }
  return { lines, files: byFile.size };
}

function testMeasures(report: TestReport, scope: Scope, m: Measures) {
  const cases = scope.whole
    ? report.cases
    : report.cases.filter((c) => c.file !== undefined && scope.includes(c.file));
  if (cases.length === 0 && !scope.whole) return;
  const count = (outcome: string) => cases.filter((c) => c.outcome === outcome).length;
  const run = cases.length - count('skipped');
  set(m, 'tests', cases.length);
  set(m, 'test_failures', count('failed'));
  set(m, 'test_errors', count('error'));
  set(m, 'skipped_tests', count('skipped'));
  set(m, 'test_success_density', percent(run - count('failed') - count('error'), run));
}

/**
 * The measures of one scope: coverage (with new code when the changed lines are known), issues by
 * type and severity, debt and ratings, duplication, tests, vulnerable dependencies.
 */
export function computeMeasures(reports: ReportSet, scope: Scope, changed?: ChangedLinesIndex): Measures {
  const m: Measures = {};
  if (reports.coverage) coverageMeasures(reports.coverage, scope, changed, m);
  if (m.ncloc === undefined && scope.whole && reports.duplication?.totalLines !== undefined)
    m.ncloc = reports.duplication.totalLines;

  const changedFiles = changed
    ? Object.keys(changed.changed).filter((path) => scope.includes(path))
    : undefined;
  const newLines =
    changed && changedFiles
      ? changedFiles.reduce((n, p) => n + countLines(changed.changed[p]!), 0)
      : undefined;
  if (newLines !== undefined) set(m, 'new_lines', newLines);

  if (reports.issues || (scope.whole && reports.audit)) {
    const fromCode = (reports.issues ?? []).filter((i) => i.path !== undefined && scope.includes(i.path));
    const all = scope.whole && reports.audit ? [...fromCode, ...auditIssues(reports.audit)] : fromCode;
    issueCounts(all, m, '');
    const bugs = all.filter((i) => i.type === 'bug');
    const vulnerabilities = all.filter((i) => i.type === 'vulnerability');
    if (reports.issues) set(m, 'reliability_rating', worstSeverityRating(bugs));
    set(m, 'security_rating', worstSeverityRating(vulnerabilities));
    if (reports.issues) {
      const debt = fromCode.filter((i) => i.type === 'code_smell').reduce((n, i) => n + i.effortMinutes, 0);
      set(m, 'sqale_index', debt);
      const ratio = debtRatio(debt, m.ncloc);
      set(m, 'sqale_debt_ratio', ratio === undefined ? undefined : Math.round(ratio * 1000) / 1000);
      if (ratio !== undefined) set(m, 'sqale_rating', maintainabilityRating(ratio));
    }
    if (changed && reports.issues) {
      const fresh = fromCode.filter((i) => {
        const ranges = changed.rangesOf(i.path!);
        return ranges !== undefined && inRanges(ranges, i.line ?? 1);
      });
      issueCounts(fresh, m, 'new_');
      set(m, 'new_reliability_rating', worstSeverityRating(fresh.filter((i) => i.type === 'bug')));
      set(m, 'new_security_rating', worstSeverityRating(fresh.filter((i) => i.type === 'vulnerability')));
      const debt = fresh.filter((i) => i.type === 'code_smell').reduce((n, i) => n + i.effortMinutes, 0);
      set(m, 'new_technical_debt', debt);
      const ratio = debtRatio(debt, newLines);
      if (ratio !== undefined) {
        set(m, 'new_sqale_debt_ratio', Math.round(ratio * 1000) / 1000);
        set(m, 'new_maintainability_rating', maintainabilityRating(ratio));
      }
    }
  }

  if (reports.duplication) {
    const blocks = reports.duplication.blocks.filter((b) => scope.includes(b.path));
    const dup = duplicatedLines(blocks, () => true);
    set(m, 'duplicated_blocks', blocks.length);
    set(m, 'duplicated_lines', dup.lines);
    set(m, 'duplicated_files', dup.files);
    const size = scope.whole ? (reports.duplication.totalLines ?? m.ncloc) : m.ncloc;
    set(m, 'duplicated_lines_density', size ? percent(dup.lines, size) : dup.lines === 0 ? 0 : undefined);
    if (changed && newLines !== undefined) {
      const fresh = duplicatedLines(blocks, (path, line) => {
        const ranges = changed.rangesOf(path);
        return ranges !== undefined && inRanges(ranges, line);
      });
      set(m, 'new_duplicated_lines', fresh.lines);
      set(m, 'new_duplicated_lines_density', newLines === 0 ? 0 : percent(fresh.lines, newLines));
    }
  }

  if (reports.tests) testMeasures(reports.tests, scope, m);

  if (scope.whole && reports.audit) {
    const c = reports.audit.counts;
    set(
      m,
      'vulnerable_dependencies',
      AUDIT_SEVERITIES.reduce((n, s) => n + c[s], 0),
    );
    for (const s of AUDIT_SEVERITIES) set(m, `audit_${s}`, c[s]);
  }
  return m;
}
