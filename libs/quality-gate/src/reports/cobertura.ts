import { type CoverageReport, type FileCoverage } from './model.js';
import { ReportError } from './report-error.js';
import { attribute, children, parseXml, type XmlNode } from './xml.js';

const ARRAYS = new Set(['package', 'class', 'method', 'line', 'source']);

function whole(file: string, node: XmlNode, name: string, where: string): number {
  const text = attribute(node, name);
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 0)
    throw new ReportError(file, `${where}: attribute ${name}="${text ?? ''}" is not a whole number`);
  return value;
}

/** `condition-coverage="50% (1/2)"`: the branches of a line, covered over total. */
function conditions(file: string, text: string, where: string): [number, number] {
  const match = /\((\d+)\/(\d+)\)/.exec(text);
  if (!match)
    throw new ReportError(file, `${where}: condition-coverage "${text}" is not "N% (covered/total)"`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * Cobertura XML (coverage-04.dtd, as istanbul/c8, coverage.py, JaCoCo converters write it): classes
 * by file name, their lines with hits and `condition-coverage`, their methods. A file split in
 * several classes is merged.
 */
export function parseCobertura(file: string, text: string): CoverageReport {
  const doc = parseXml(file, text, ARRAYS);
  const root = doc['coverage'];
  if (root === undefined || typeof root !== 'object' || root === null)
    throw new ReportError(file, 'no <coverage> root element: not a Cobertura report');
  const byPath = new Map<string, FileCoverage & { detail: NonNullable<FileCoverage['detail']> }>();
  for (const pkg of children(children(root, 'packages')[0], 'package')) {
    for (const cls of children(children(pkg, 'classes')[0], 'class')) {
      const path = attribute(cls, 'filename');
      if (!path) throw new ReportError(file, `class "${attribute(cls, 'name') ?? '?'}" has no filename`);
      let entry = byPath.get(path);
      if (!entry) {
        entry = {
          path,
          lines: { found: 0, hit: 0 },
          branches: { found: 0, hit: 0 },
          functions: { found: 0, hit: 0 },
          detail: { lineNumbers: [], lineHits: [], branchLines: [], branchTaken: [] },
        };
        byPath.set(path, entry);
      }
      for (const method of children(children(cls, 'methods')[0], 'method')) {
        entry.functions.found++;
        const hits = attribute(method, 'hits');
        const lines = children(children(method, 'lines')[0], 'line');
        const hit =
          hits !== undefined ? Number(hits) > 0 : lines.some((l) => Number(attribute(l, 'hits')) > 0);
        if (hit) entry.functions.hit++;
      }
      for (const line of children(children(cls, 'lines')[0], 'line')) {
        const where = `${path} line ${attribute(line, 'number') ?? '?'}`;
        const number = whole(file, line, 'number', where);
        const hits = whole(file, line, 'hits', where);
        entry.detail.lineNumbers.push(number);
        entry.detail.lineHits.push(hits);
        entry.lines.found++;
        if (hits > 0) entry.lines.hit++;
        const coverage = attribute(line, 'condition-coverage');
        if (attribute(line, 'branch') === 'true' && coverage) {
          const [covered, total] = conditions(file, coverage, where);
          for (let i = 0; i < total; i++) {
            entry.detail.branchLines.push(number);
            entry.detail.branchTaken.push(i < covered ? 1 : 0);
          }
          entry.branches.found += total;
          entry.branches.hit += covered;
        }
      }
    }
  }
  return { kind: 'coverage', format: 'cobertura', files: [...byPath.values()] };
}
