/** A stage's log as the page holds it: stored pages and live lines merged, searched. */

export interface LogLine {
  attempt: number;
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  time: string;
  text: string;
}

/**
 * Adds stored lines, in order and once each (pages may overlap when read again). A line's text may
 * hold newlines: the builder numbers a line per write, and a multi-line write is one line.
 */
export function mergeLines(existing: LogLine[], incoming: LogLine[]): LogLine[] {
  const key = (l: LogLine) => `${l.attempt}:${l.seq}`;
  const seen = new Set(existing.map(key));
  const added = incoming.filter((l) => {
    if (seen.has(key(l))) return false;
    seen.add(key(l));
    return true;
  });
  if (added.length === 0) return existing;
  const all = [...existing, ...added];
  const last = existing.at(-1);
  const inOrder =
    !last || added.every((l) => l.attempt > last.attempt || (l.attempt === last.attempt && l.seq > last.seq));
  return inOrder ? all : all.sort((a, b) => a.attempt - b.attempt || a.seq - b.seq);
}

/**
 * The stored lines, then the live ones written after them. A live message may carry several lines
 * joined (`seq` of the first) when a step is chatty, so live lines are never matched one by one
 * against stored ones: what is stored (complete up to its last line) wins, live only extends it.
 */
export function withLive(stored: LogLine[], live: LogLine[]): LogLine[] {
  const last = stored.at(-1);
  const newer = live.filter(
    (l) => !last || l.attempt > last.attempt || (l.attempt === last.attempt && l.seq > last.seq),
  );
  return newer.length ? mergeLines(stored, newer) : stored;
}

export interface Segment {
  text: string;
  match: boolean;
}

/** The text cut around each case-insensitive occurrence of the query. */
export function highlight(text: string, query: string): Segment[] {
  if (!query) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  const segments: Segment[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) segments.push({ text: text.slice(from, at), match: false });
    segments.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) segments.push({ text: text.slice(from), match: false });
  return segments;
}

/** The lines containing the query (all when it is empty). */
export function searchLines(lines: LogLine[], query: string): LogLine[] {
  if (!query) return lines;
  const needle = query.toLowerCase();
  return lines.filter((l) => l.text.toLowerCase().includes(needle));
}

/** What the builder writes in place of a secret. */
export const MASK = '****';

const SECRET_PATTERNS: RegExp[] = [
  // https://user:password@host
  /(?<=\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
  // NAME_TOKEN=value, PASSWORD: value, api_key="value"
  /(?<=\b[\w.-]*(?:token|password|passwd|secret|api[_-]?key|private[_-]?key)\w*["']?\s*[=:]\s*["']?)[^\s"',;]{4,}/gi,
  /(?<=\bBearer\s+)[\w.~+/-]{8,}=*/g,
  /\b(?:avt|ghp|gho|ghu|ghs|ghr|glpat|xox[abprs])[_-][A-Za-z0-9_-]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

/**
 * Masks what still looks like a secret. The builder masks every line before it leaves; this is a
 * second net, so that a line from an older builder or another worker shows no credential either.
 */
export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, MASK), text);
}
