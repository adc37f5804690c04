/** What the canary report page shows, computed from the report the canary service keeps. */

export type ReportNumber = number | 'NaN' | '+Inf' | '-Inf';

export function toNumber(value: ReportNumber | null | undefined): number {
  if (value === undefined || value === null || value === 'NaN') return Number.NaN;
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return value;
}

export interface Thresholds {
  pass: number;
  marginal: number;
}

/** Where a score falls against the thresholds, in words: Kayenta's rule (at or below marginal fails). */
export function scoreBand(
  score: number | undefined,
  thresholds: Thresholds | undefined,
): {
  band: 'pass' | 'marginal' | 'fail' | 'unknown';
  text: string;
} {
  if (score === undefined) return { band: 'unknown', text: 'no score yet' };
  if (!thresholds) return { band: 'unknown', text: `score ${score}` };
  if (score >= thresholds.pass)
    return { band: 'pass', text: `${score} is at or above the pass threshold ${thresholds.pass}` };
  if (score > thresholds.marginal)
    return {
      band: 'marginal',
      text: `${score} is below the pass threshold ${thresholds.pass} but above the marginal threshold ${thresholds.marginal}`,
    };
  return { band: 'fail', text: `${score} is at or below the marginal threshold ${thresholds.marginal}` };
}

export type Point = [number, ReportNumber];

/** Points as JSON carries them (the OpenAPI types lose the tuple): `[time, value]`, anything else dropped. */
export function toPoints(raw: ReadonlyArray<ReadonlyArray<ReportNumber>>): Point[] {
  return raw.flatMap((p) => (p.length === 2 && typeof p[0] === 'number' ? [[p[0], p[1]!] as Point] : []));
}

/**
 * Baseline and canary over time on one axis: seconds since each side's window started (the two
 * windows may be offset), the union of both sides' offsets, null where a side has no point.
 */
export function alignSeries(
  baseline: Point[],
  canary: Point[],
  baselineStart: number,
  canaryStart: number,
): [number[], Array<number | null>, Array<number | null>] {
  const b = new Map(baseline.map(([t, v]) => [t - baselineStart, toNumber(v)]));
  const c = new Map(canary.map(([t, v]) => [t - canaryStart, toNumber(v)]));
  const xs = [...new Set([...b.keys(), ...c.keys()])].sort((x, y) => x - y);
  const value = (side: Map<number, number>, x: number) => {
    const v = side.get(x);
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  return [xs, xs.map((x) => value(b, x)), xs.map((x) => value(c, x))];
}

export interface Histogram {
  /** The left edge of each bin; the last bin also holds the maximum. */
  edges: number[];
  width: number;
  baseline: number[];
  canary: number[];
}

/** Both sides' values counted in the same bins (finite values only), to compare their shapes. */
export function histogram(baseline: Point[], canary: Point[], bins = 20): Histogram {
  const finite = (points: Point[]) => points.map(([, v]) => toNumber(v)).filter(Number.isFinite);
  const b = finite(baseline);
  const c = finite(canary);
  const all = [...b, ...c];
  if (all.length === 0) return { edges: [], width: 0, baseline: [], canary: [] };
  const min = Math.min(...all);
  const max = Math.max(...all);
  const count = min === max ? 1 : bins;
  const width = min === max ? 1 : (max - min) / count;
  const edges = Array.from({ length: count }, (_, i) => min + i * width);
  const tally = (values: number[]) => {
    const counts = new Array<number>(count).fill(0);
    for (const v of values) counts[Math.min(count - 1, Math.floor((v - min) / width))]! += 1;
    return counts;
  };
  return { edges, width, baseline: tally(b), canary: tally(c) };
}

export interface TimelineEntry {
  index: number;
  start: string | undefined;
  end: string | undefined;
  score: number | undefined;
  classification: string;
  judged: boolean;
}

/** Every planned interval in order: judged ones with their score, the rest still to come. */
export function intervalTimeline(
  intervals: Array<{
    index: number;
    canary: { start: string; end: string };
    score: number;
    classification: string;
  }>,
  planned: number | undefined,
): TimelineEntry[] {
  const judged: TimelineEntry[] = intervals.map((i) => ({
    index: i.index,
    start: i.canary.start,
    end: i.canary.end,
    score: i.score,
    classification: i.classification,
    judged: true,
  }));
  const last = Math.max(0, ...intervals.map((i) => i.index));
  const pending = Array.from({ length: Math.max(0, (planned ?? 0) - last) }, (_, k) => ({
    index: last + k + 1,
    start: undefined,
    end: undefined,
    score: undefined,
    classification: 'pending',
    judged: false,
  }));
  return [...judged, ...pending];
}

/** `request_duration{path="/api"}`: a metric's name with its label set. */
export function metricTitle(name: string, tags: Record<string, string> | undefined): string {
  const entries = Object.entries(tags ?? {});
  return entries.length ? `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : name;
}
