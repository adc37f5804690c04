import { parseCobertura } from './cobertura.js';
import { parseEslint } from './eslint.js';
import { parseIstanbulSummary } from './istanbul-summary.js';
import { parseJscpd } from './jscpd.js';
import { parseJunit } from './junit.js';
import { parseLcov } from './lcov.js';
import { type ParsedReport } from './model.js';
import { parseNpmAudit } from './npm-audit.js';
import { ReportError } from './report-error.js';

/** The report kinds a run stage declares (`reports:` in pipeline.yaml), each with its format. */
export const REPORT_FORMATS = {
  coverage: 'LCOV (lcov.info)',
  coverageSummary: 'istanbul json-summary (coverage-summary.json)',
  cobertura: 'Cobertura XML',
  lint: 'ESLint JSON (--format json)',
  duplication: 'jscpd JSON (--reporters json)',
  audit: 'npm audit --json',
  junit: 'JUnit XML',
} as const;
export type ReportKind = keyof typeof REPORT_FORMATS;
export const REPORT_KIND_NAMES = Object.keys(REPORT_FORMATS) as ReportKind[];

const PARSERS: Record<ReportKind, (file: string, text: string) => ParsedReport> = {
  coverage: parseLcov,
  coverageSummary: parseIstanbulSummary,
  cobertura: parseCobertura,
  lint: parseEslint,
  duplication: parseJscpd,
  audit: parseNpmAudit,
  junit: parseJunit,
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses one report; throws ReportError naming the file and the problem. */
export function parseReport(kind: ReportKind, file: string, content: string | Uint8Array): ParsedReport {
  let text: string;
  try {
    text = typeof content === 'string' ? content : decoder.decode(content);
  } catch {
    throw new ReportError(file, 'not UTF-8 text');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return PARSERS[kind](file, text);
}
