import { matches, parseMatcher, type LabelMatcher } from '@aviary/judge';
import { labelKey, MetricSourceError, type MetricSource, type Series, type SideQuery } from '../series.js';
import { type SampleStore } from './sample-store.js';

/** PromQL duration (`30s`, `1m`, `1m30s`) in seconds. */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit as 'ms' | 's' | 'm' | 'h' | 'd'];
  if (total <= 0) throw new MetricSourceError(`"${text}" is not a duration`, false);
  return total;
}

interface Timeline {
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

/** The increase of a counter over its points (resets counted from zero), and the time it spans. */
function increase(points: Array<[number, number]>): { delta: number; span: number } | undefined {
  if (points.length < 2) return undefined;
  let delta = 0;
  for (let i = 1; i < points.length; i++) {
    const step = points[i]![1] - points[i - 1]![1];
    delta += step >= 0 ? step : points[i]![1];
  }
  return { delta, span: points[points.length - 1]![0] - points[0]![0] };
}

/**
 * Answers the canary config's queries from the samples the scraper kept: the metric name and label
 * matchers select series, which are averaged (or their per-second rates averaged, or their
 * increases summed) by the groupByFields at each step, as Prometheus would.
 */
export class ScrapeSource implements MetricSource {
  readonly kind = 'scrape';

  constructor(
    private readonly store: Pick<SampleStore, 'between'>,
    private readonly analysisId: string,
  ) {}

  async query(q: SideQuery): Promise<Series[]> {
    const query = q.query;
    if (query.kind === 'promql')
      throw new MetricSourceError(
        `the scrape source answers metric-name queries only; "PromQL:${query.promql}" needs Prometheus (set CANARY_PROMETHEUS_URL)`,
        false,
      );
    const matchers: LabelMatcher[] = query.filters.map((filter) => {
      const matcher = parseMatcher(filter);
      if (!matcher) throw new MetricSourceError(`cannot read the label filter ${filter}`, false);
      return matcher;
    });
    const step = q.stepSeconds;
    const window = query.window ? durationSeconds(query.window) : 0;
    const staleness = Math.max(2 * step, 5);
    const from = q.start / 1000 - Math.max(window, staleness);
    const scrapes = await this.store.between(this.analysisId, q.side, from * 1000, q.end);
    const timelines = new Map<string, Timeline>();
    for (const scrape of scrapes)
      for (const sample of scrape.samples) {
        if (sample.name !== query.metricName || !matchers.every((m) => matches(sample.labels, m))) continue;
        const key = labelKey(sample.labels);
        const timeline = timelines.get(key) ?? { labels: sample.labels, points: [] };
        timeline.points.push([scrape.at / 1000, sample.value]);
        timelines.set(key, timeline);
      }
    const groups = new Map<string, Series>();
    for (let t = q.start / 1000; t <= q.end / 1000 + 1e-9; t += step) {
      const buckets = new Map<string, { labels: Record<string, string>; values: number[] }>();
      for (const timeline of timelines.values()) {
        let value: number | undefined;
        if (query.aggregation === 'avg') {
          const last = timeline.points.filter(([at]) => at <= t && at > t - staleness).at(-1);
          value = last?.[1];
        } else {
          const inWindow = timeline.points.filter(([at]) => at <= t && at > t - window - 1e-9);
          // A step's increase starts from the counter's last value before the step: scraped once a
          // step, a window of one step holds a single point, and consecutive steps must add up to
          // the whole increase (a ratio metric's errors over requests, step by step).
          const before =
            query.aggregation === 'sum-increase'
              ? timeline.points
                  .filter(([at]) => at <= t - window - 1e-9 && at > t - window - staleness)
                  .at(-1)
              : undefined;
          const grown = increase(before ? [before, ...inWindow] : inWindow);
          if (grown)
            value =
              query.aggregation === 'avg-rate'
                ? grown.span > 0
                  ? grown.delta / grown.span
                  : undefined
                : grown.delta;
        }
        if (value === undefined) continue;
        const labels = Object.fromEntries(
          query.groupBy.filter((l) => l in timeline.labels).map((l) => [l, timeline.labels[l]!]),
        );
        const key = labelKey(labels);
        const bucket = buckets.get(key) ?? { labels, values: [] };
        bucket.values.push(value);
        buckets.set(key, bucket);
      }
      for (const [key, bucket] of buckets) {
        const sum = bucket.values.reduce((a, b) => a + b, 0);
        const value = query.aggregation === 'sum-increase' ? sum : sum / bucket.values.length;
        const series = groups.get(key) ?? { labels: bucket.labels, points: [] };
        series.points.push([Math.round(t * 1000) / 1000, value]);
        groups.set(key, series);
      }
    }
    return [...groups.values()];
  }
}
