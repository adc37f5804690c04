import { type MetricSetPair } from '@aviary/judge';
import { formatLabels, labelKey, type Series } from './series.js';

/** A judged pair with the timestamps of its points (for the report's graphs). */
export interface TimedPair extends MetricSetPair {
  times: { control: number[]; experiment: number[] };
  denominatorTimes?: { control: number[]; experiment: number[] };
}

export interface Paired {
  pairs: TimedPair[];
  /** Why series did not line up, naming the labels that differ. */
  warnings: string[];
}

const padded = (values: number[], expected: number) =>
  values.length >= expected
    ? values
    : [...values, ...Array<number>(expected - values.length).fill(Number.NaN)];

/** Explains label sets found on one side only: which label names or values differ. */
export function mismatchWarning(metric: string, baseline: Series[], canary: Series[]): string | undefined {
  const keys = (list: Series[]) => new Map(list.map((s) => [labelKey(s.labels), s.labels]));
  const b = keys(baseline);
  const c = keys(canary);
  const onlyBaseline = [...b].filter(([k]) => !c.has(k)).map(([, l]) => l);
  const onlyCanary = [...c].filter(([k]) => !b.has(k)).map(([, l]) => l);
  if (onlyBaseline.length === 0 && onlyCanary.length === 0) return undefined;
  if (baseline.length === 0 || canary.length === 0) return undefined;
  const names = (list: Record<string, string>[]) => new Set(list.flatMap((l) => Object.keys(l)));
  const bNames = names([...b.values()]);
  const cNames = names([...c.values()]);
  const nameDiff = [
    ...[...bNames].filter((n) => !cNames.has(n)).map((n) => `${n} (baseline only)`),
    ...[...cNames].filter((n) => !bNames.has(n)).map((n) => `${n} (canary only)`),
  ];
  const valueDiff = [...bNames]
    .filter((n) => cNames.has(n))
    .filter((n) => {
      const bv = new Set(onlyBaseline.map((l) => l[n]));
      const cv = new Set(onlyCanary.map((l) => l[n]));
      return [...bv].some((v) => !cv.has(v)) || [...cv].some((v) => !bv.has(v));
    });
  const parts = [
    nameDiff.length ? `label names differ: ${nameDiff.join(', ')}` : '',
    valueDiff.length ? `label values differ on ${valueDiff.join(', ')}` : '',
    onlyBaseline.length ? `only in baseline: ${onlyBaseline.map(formatLabels).join(' ')}` : '',
    onlyCanary.length ? `only in canary: ${onlyCanary.map(formatLabels).join(' ')}` : '',
  ].filter(Boolean);
  return `${metric}: baseline and canary series do not line up (${parts.join('; ')}); the unmatched ones are judged as Nodata. Add groupByFields or a filter so both sides have the same label sets.`;
}

/**
 * Kayenta's MetricSetMixerService: series paired by label set; a label set on one side only is
 * paired with NaN; each side is padded with NaN up to the expected number of points; no series at
 * all gives one pair of NaN.
 */
export function pairSeries(
  metric: string,
  baseline: Series[],
  canary: Series[],
  expectedPoints: number,
): Paired {
  const byKey = new Map<string, { labels: Record<string, string>; baseline?: Series; canary?: Series }>();
  for (const s of baseline) byKey.set(labelKey(s.labels), { labels: s.labels, baseline: s });
  for (const s of canary) {
    const entry = byKey.get(labelKey(s.labels));
    if (entry) entry.canary = s;
    else byKey.set(labelKey(s.labels), { labels: s.labels, canary: s });
  }
  if (byKey.size === 0) byKey.set('{}', { labels: {} });
  const pairs = [...byKey.values()].map((entry): TimedPair => {
    const values = (s: Series | undefined) => padded(s?.points.map(([, v]) => v) ?? [], expectedPoints);
    return {
      name: metric,
      tags: entry.labels,
      values: { control: values(entry.baseline), experiment: values(entry.canary) },
      times: {
        control: entry.baseline?.points.map(([t]) => t) ?? [],
        experiment: entry.canary?.points.map(([t]) => t) ?? [],
      },
    };
  });
  const warning = mismatchWarning(metric, baseline, canary);
  return { pairs, warnings: warning ? [warning] : [] };
}

/** Ratio metrics: numerator and denominator series of one side joined on labels and timestamps. */
export function joinRatio(
  numerator: Series[],
  denominator: Series[],
): { numerator: Series[]; denominator: Series[] } {
  const den = new Map(denominator.map((s) => [labelKey(s.labels), s]));
  const num: Series[] = [];
  const dens: Series[] = [];
  for (const n of numerator) {
    const d = den.get(labelKey(n.labels));
    if (!d) continue;
    const at = new Map(d.points);
    const points = n.points.filter(([t]) => at.has(t));
    num.push({ labels: n.labels, points });
    dens.push({ labels: n.labels, points: points.map(([t]) => [t, at.get(t)!]) });
  }
  // Requests without errors: the numerator series is absent when nothing failed.
  const seen = new Set(num.map((s) => labelKey(s.labels)));
  for (const d of denominator)
    if (!seen.has(labelKey(d.labels))) {
      num.push({ labels: d.labels, points: d.points.map(([t]) => [t, 0]) });
      dens.push(d);
    }
  return { numerator: num, denominator: dens };
}
