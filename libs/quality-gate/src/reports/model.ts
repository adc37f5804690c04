/** What the parsers read from the build's reports, before any measure is computed. */

export interface Counter {
  found: number;
  hit: number;
}

/**
 * One source file's coverage. Totals always; line-level detail when the format has it (LCOV,
 * Cobertura), which is what coverage on new code needs.
 */
export interface FileCoverage {
  path: string;
  lines: Counter;
  branches: Counter;
  functions: Counter;
  detail?: {
    /** Executable lines and their hit counts, in the same order. */
    lineNumbers: number[];
    lineHits: number[];
    /** One entry per branch: the line it is on, and 1 when it was taken. */
    branchLines: number[];
    branchTaken: number[];
  };
}

export interface CoverageReport {
  kind: 'coverage';
  format: 'lcov' | 'istanbul-summary' | 'cobertura';
  files: FileCoverage[];
  /** The report's own totals where it states them (istanbul's `total`): used when no file is known. */
  total?: { lines: Counter; branches: Counter; functions: Counter };
}

/** One ESLint message, before the rule table classifies it. */
export interface LintMessage {
  path: string;
  line: number;
  /** null for a file ESLint could not parse. */
  ruleId: string | null;
  /** ESLint's level: 1 warning, 2 error. */
  level: 1 | 2;
  fatal: boolean;
  message: string;
}

export interface LintReport {
  kind: 'lint';
  files: number;
  messages: LintMessage[];
}

export interface DuplicatedBlock {
  path: string;
  start: number;
  end: number;
}

export interface DuplicationReport {
  kind: 'duplication';
  /** Each clone is two blocks (its two occurrences). */
  blocks: DuplicatedBlock[];
  /** Lines of the sources jscpd read, when it says. */
  totalLines?: number;
}

export const AUDIT_SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

export interface AuditReport {
  kind: 'audit';
  /** Vulnerable packages by severity, as npm counts them. */
  counts: Record<AuditSeverity, number>;
  packages: { name: string; severity: AuditSeverity; title?: string; url?: string }[];
}

export interface TestCase {
  name: string;
  classname?: string;
  file?: string;
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
  message?: string;
}

export interface TestReport {
  kind: 'tests';
  cases: TestCase[];
}

export type ParsedReport = CoverageReport | LintReport | DuplicationReport | AuditReport | TestReport;
