import {
  DEFAULT_GATE,
  evaluateQuality,
  parseUnifiedDiff,
  readReports,
  type ReportKind,
} from '@aviary/quality-gate';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One measured run of bench/quality, in its own process for an honest peak RSS. Arguments: the
 * folder of generated reports and `gate` (read, parse, gate) or `floor` (read the same files only).
 * Prints one JSON line: { readMs, parseAndGateMs, maxRssMb, status }.
 */
const [dir = '.', mode = 'gate'] = process.argv.slice(2);
const FILES: [ReportKind, string][] = [
  ['coverage', 'lcov.info'],
  ['lint', 'eslint.json'],
  ['duplication', 'jscpd-report.json'],
  ['audit', 'npm-audit.json'],
  ['junit', 'junit.xml'],
];
const started = performance.now();
const contents = await Promise.all(FILES.map(([, file]) => readFile(join(dir, file))));
const diff = await readFile(join(dir, 'changes.diff'), 'utf8');
const read = performance.now();
let status = 'floor';
if (mode === 'gate') {
  const reports = readReports(FILES.map(([kind, file], i) => ({ kind, file, content: contents[i]! })));
  const result = evaluateQuality(reports, {
    gate: { ...DEFAULT_GATE, subProjects: ['api/v*'] },
    changedLines: parseUnifiedDiff(diff),
  });
  if (result.unreadable.length > 0) throw new Error(JSON.stringify(result.unreadable));
  status = `${result.status} (${result.subProjects.length} sub-projects, ${result.project.measures.lines_to_cover} lines to cover, ${result.project.measures.new_lines} new lines)`;
}
const done = performance.now();
console.log(
  JSON.stringify({
    readMs: read - started,
    parseAndGateMs: done - read,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    status,
  }),
);
