import { type CoverageReport, type FileCoverage } from './model.js';
import { ReportError } from './report-error.js';

const KNOWN = new Set([
  'TN',
  'SF',
  'VER',
  'FN',
  'FNDA',
  'FNF',
  'FNH',
  'FNL',
  'FNA',
  'BRDA',
  'BRF',
  'BRH',
  'DA',
  'LF',
  'LH',
]);

function integer(text: string, file: string, lineNo: number, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || text === '')
    throw new ReportError(file, `line ${lineNo}: ${what} "${text}" is not a whole number`);
  return value;
}

const pair: [number, number] = [0, 0];

/** `<digits>,<digits>[,checksum]` up to `end` (a CR allowed), or undefined for anything else (the slow path then names the problem). */
function readPair(text: string, at: number, end: number): [number, number] | undefined {
  let i = at;
  let first = 0;
  const firstStart = i;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) first = first * 10 + c - 48;
  if (i === firstStart || text.charCodeAt(i) !== 44) return undefined;
  let second = 0;
  const secondStart = ++i;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i))
    second = second * 10 + c - 48;
  if (i === secondStart) return undefined;
  const next = text.charCodeAt(i);
  if (i !== end && next !== 44 && !(next === 13 && i + 1 === end)) return undefined;
  pair[0] = first;
  pair[1] = second;
  return pair;
}

/**
 * LCOV tracefile (geninfo's format, as c8, jest, node:test and nyc write it): per file `SF`, `DA`
 * line hits, `BRDA` branches, `FN`/`FNDA` functions, the `LF`/`LH`/`BRF`/`BRH`/`FNF`/`FNH` totals,
 * `end_of_record`. Totals are counted from the records when the file does not state them.
 */
export function parseLcov(file: string, text: string): CoverageReport {
  const files: FileCoverage[] = [];
  let current: (FileCoverage & { detail: NonNullable<FileCoverage['detail']> }) | undefined;
  let stated: { LF?: number; LH?: number; BRF?: number; BRH?: number; FNF?: number; FNH?: number } = {};
  let functionNames = new Set<string>();
  let functionsHit = new Set<string>();
  let lineNo = 0;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    lineNo++;
    // The hot path: `DA:<line>,<hits>` read in place, without building strings (most of a tracefile).
    if (
      current &&
      text.charCodeAt(start) === 68 &&
      text.charCodeAt(start + 1) === 65 &&
      text.charCodeAt(start + 2) === 58
    ) {
      const numbers = readPair(text, start + 3, end);
      if (numbers) {
        current.detail.lineNumbers.push(numbers[0]);
        current.detail.lineHits.push(numbers[1]);
        start = end + 1;
        continue;
      }
    }
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line.trim() === '') continue;
    if (line === 'end_of_record') {
      if (!current) throw new ReportError(file, `line ${lineNo}: end_of_record without SF`);
      const d = current.detail;
      const hitLines = d.lineHits.reduce((n, hits) => n + (hits > 0 ? 1 : 0), 0);
      const taken = d.branchTaken.reduce((n, t) => n + t, 0);
      current.lines = { found: stated.LF ?? d.lineNumbers.length, hit: stated.LH ?? hitLines };
      current.branches = { found: stated.BRF ?? d.branchLines.length, hit: stated.BRH ?? taken };
      current.functions = { found: stated.FNF ?? functionNames.size, hit: stated.FNH ?? functionsHit.size };
      files.push(current);
      current = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    const key = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);
    if (!KNOWN.has(key))
      throw new ReportError(file, `line ${lineNo}: "${line.slice(0, 60)}" is not an LCOV record`);
    if (key === 'TN' || key === 'VER') continue;
    if (key === 'SF') {
      if (current)
        throw new ReportError(file, `line ${lineNo}: SF before the end_of_record of ${current.path}`);
      if (value === '') throw new ReportError(file, `line ${lineNo}: SF without a file name`);
      current = {
        path: value,
        lines: { found: 0, hit: 0 },
        branches: { found: 0, hit: 0 },
        functions: { found: 0, hit: 0 },
        detail: { lineNumbers: [], lineHits: [], branchLines: [], branchTaken: [] },
      };
      stated = {};
      functionNames = new Set();
      functionsHit = new Set();
      continue;
    }
    if (!current)
      throw new ReportError(file, `line ${lineNo}: ${key} outside a file record (no SF before it)`);
    switch (key) {
      case 'DA': {
        const [at = '', hits = ''] = value.split(',');
        current.detail.lineNumbers.push(integer(at, file, lineNo, 'line number'));
        current.detail.lineHits.push(integer(hits, file, lineNo, 'hit count'));
        break;
      }
      case 'BRDA': {
        const parts = value.split(',');
        if (parts.length !== 4)
          throw new ReportError(file, `line ${lineNo}: BRDA needs line,block,branch,taken`);
        current.detail.branchLines.push(integer(parts[0]!, file, lineNo, 'line number'));
        const taken = parts[3]!;
        current.detail.branchTaken.push(
          taken === '-' || integer(taken, file, lineNo, 'taken count') === 0 ? 0 : 1,
        );
        break;
      }
      case 'FN': {
        const comma = value.indexOf(',');
        functionNames.add(value.slice(comma + 1));
        break;
      }
      case 'FNDA': {
        const comma = value.indexOf(',');
        if (comma === -1) throw new ReportError(file, `line ${lineNo}: FNDA needs hits,name`);
        if (integer(value.slice(0, comma), file, lineNo, 'hit count') > 0)
          functionsHit.add(value.slice(comma + 1));
        break;
      }
      case 'FNL':
      case 'FNA':
        break;
      default:
        stated[key as keyof typeof stated] = integer(value, file, lineNo, key);
    }
  }
  if (current) throw new ReportError(file, `the record of ${current.path} has no end_of_record (truncated?)`);
  if (files.length === 0)
    throw new ReportError(file, 'no file record (SF ... end_of_record): not an LCOV report');
  return { kind: 'coverage', format: 'lcov', files };
}
