/** Lines changed since the previous main build, by repository-relative path, as sorted [first, last] ranges. */
export type ChangedLines = Record<string, [number, number][]>;

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

function unquote(path: string): string {
  // git quotes paths with unusual characters: "a/sp\303\251cial.js" (octal UTF-8 bytes).
  if (!path.startsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c));
      continue;
    }
    const next = body[++i]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else
      bytes.push(({ n: 10, t: 9, '"': 34, '\\': 92 } as Record<string, number>)[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The added and changed lines of a unified diff (`git diff --unified=0`): for each file on the new
 * side, the line ranges of its hunks. Deleted files and pure deletions add nothing.
 */
export function parseUnifiedDiff(diff: string): ChangedLines {
  const changed: ChangedLines = {};
  let current: [number, number][] | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4).trimEnd();
      if (target === '/dev/null') {
        current = undefined;
        continue;
      }
      const path = unquote(target).replace(/^b\//, '');
      current = changed[path] ??= [];
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk && current) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) current.push([start, start + count - 1]);
    }
  }
  for (const [path, ranges] of Object.entries(changed)) {
    if (ranges.length === 0) delete changed[path];
    else changed[path] = mergeRanges(ranges);
  }
  return changed;
}

export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function inRanges(ranges: readonly [number, number][], line: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (line < start) hi = mid - 1;
    else if (line > end) lo = mid + 1;
    else return true;
  }
  return false;
}

export const countLines = (ranges: readonly [number, number][]) =>
  ranges.reduce((n, [a, b]) => n + b - a + 1, 0);

/**
 * Finds a report's file among the changed ones. Reports name files relative to where the tool ran
 * or absolutely (`/workspace/x/src/a.js`); the diff relative to the repository root (`src/a.js`): a
 * report path matches the changed path that is its longest suffix at a folder boundary.
 */
export class ChangedLinesIndex {
  private readonly byBase = new Map<string, string[]>();
  private readonly cache = new Map<string, [number, number][] | null>();

  constructor(readonly changed: ChangedLines) {
    for (const path of Object.keys(changed)) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      const list = this.byBase.get(base) ?? [];
      list.push(path);
      this.byBase.set(base, list);
    }
  }

  /** The changed ranges of a report's file, or undefined when it did not change. */
  rangesOf(reportPath: string): [number, number][] | undefined {
    let found = this.cache.get(reportPath);
    if (found === undefined) {
      const path = reportPath.replace(/\\/g, '/');
      const base = path.slice(path.lastIndexOf('/') + 1);
      let best: string | undefined;
      for (const candidate of this.byBase.get(base) ?? [])
        if (
          (path === candidate || path.endsWith(`/${candidate}`)) &&
          (!best || candidate.length > best.length)
        )
          best = candidate;
      found = best ? this.changed[best]! : null;
      this.cache.set(reportPath, found);
    }
    return found ?? undefined;
  }
}
