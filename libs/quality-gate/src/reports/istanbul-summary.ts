import { z } from 'zod';
import { type CoverageReport, type Counter, type FileCoverage } from './model.js';
import { parseJson, ReportError, shapeProblem } from './report-error.js';

const Metric = z.object({ total: z.number().min(0), covered: z.number().min(0) });
const Entry = z.object({ lines: Metric, functions: Metric, branches: Metric, statements: Metric.optional() });
const Summary = z.record(z.string(), Entry).refine((s) => 'total' in s, 'has no "total" entry');

const counter = (m: z.infer<typeof Metric>): Counter => ({ found: m.total, hit: m.covered });

/** Istanbul's `json-summary` reporter (`coverage-summary.json`): per-file and total counts, no line detail. */
export function parseIstanbulSummary(file: string, text: string): CoverageReport {
  const parsed = Summary.safeParse(parseJson(file, text));
  if (!parsed.success)
    throw new ReportError(file, shapeProblem('an istanbul coverage summary', parsed.error.issues));
  const files: FileCoverage[] = [];
  let total: CoverageReport['total'];
  for (const [path, entry] of Object.entries(parsed.data)) {
    const counts = {
      lines: counter(entry.lines),
      branches: counter(entry.branches),
      functions: counter(entry.functions),
    };
    if (path === 'total') total = counts;
    else files.push({ path, ...counts });
  }
  return { kind: 'coverage', format: 'istanbul-summary', files, ...(total ? { total } : {}) };
}
