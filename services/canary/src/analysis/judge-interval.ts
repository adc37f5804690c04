import { type CanaryIntervalReport } from '@aviary/events';
import {
  type CanaryConfig,
  type CanaryJudgeResult,
  isRatioQuery,
  judge,
  type QueryScope,
  QueryBuildError,
  resolveQuery,
  resolveRatioQueries,
  toPromQL,
  type Thresholds,
} from '@aviary/judge';
import { pairSeries, joinRatio, type TimedPair } from '../sources/pairing.js';
import { type MetricSource, type Series, type Side } from '../sources/series.js';
import { type AnalysisSpec } from './analysis-spec.js';
import { type PlannedInterval } from './interval-plan.js';
import { fromJsonNumber, jsonSafe, type JsonNumber, toJsonNumber } from './json-numbers.js';

/** The queries of one metric, per side, as sent. */
type Queries = Record<string, { baseline: string; canary: string }>;

export interface FetchedInterval {
  pairs: TimedPair[];
  queries: Queries;
  warnings: string[];
}

function scopeOf(spec: AnalysisSpec, side: Side): QueryScope {
  const s = side === 'baseline' ? spec.baseline : spec.canary;
  return {
    scope: s.scope,
    location: s.location,
    step: spec.stepSeconds,
    extendedScopeParams: spec.extendedScopeParams,
  };
}

/** Fetches every metric of the config for both sides of one interval and pairs the series. */
export async function fetchInterval(
  config: CanaryConfig,
  spec: AnalysisSpec,
  interval: PlannedInterval,
  source: MetricSource,
  signal?: AbortSignal,
): Promise<FetchedInterval> {
  const expected = Math.floor((interval.canary.end - interval.canary.start) / 1000 / spec.stepSeconds);
  const pairs: TimedPair[] = [];
  const queries: Queries = {};
  const warnings: string[] = [];
  const window = (side: Side) => (side === 'baseline' ? interval.baseline : interval.canary);
  for (const metric of config.metrics) {
    const run = (side: Side, query: Parameters<typeof toPromQL>[0]) =>
      source.query(
        {
          side,
          query,
          scope: scopeOf(spec, side),
          start: window(side).start,
          end: window(side).end,
          stepSeconds: spec.stepSeconds,
        },
        signal,
      );
    if (isRatioQuery(metric.query)) {
      const resolved = {
        baseline: resolveRatioQueries(config, metric.query, scopeOf(spec, 'baseline')),
        canary: resolveRatioQueries(config, metric.query, scopeOf(spec, 'canary')),
      };
      queries[metric.name] = {
        baseline: `${toPromQL(resolved.baseline.numerator)} / ${toPromQL(resolved.baseline.denominator)}`,
        canary: `${toPromQL(resolved.canary.numerator)} / ${toPromQL(resolved.canary.denominator)}`,
      };
      const side = async (s: Side) =>
        joinRatio(await run(s, resolved[s].numerator), await run(s, resolved[s].denominator));
      const [b, c] = [await side('baseline'), await side('canary')];
      const numerators = pairSeries(metric.name, b.numerator, c.numerator, expected);
      const denominators = pairSeries(metric.name, b.denominator, c.denominator, expected);
      warnings.push(...numerators.warnings);
      for (const [i, pair] of numerators.pairs.entries()) {
        const den = denominators.pairs[i]!;
        pairs.push({ ...pair, denominators: den.values, denominatorTimes: den.times });
      }
      continue;
    }
    const resolved = {
      baseline: resolveQuery(config, metric.query, scopeOf(spec, 'baseline')),
      canary: resolveQuery(config, metric.query, scopeOf(spec, 'canary')),
    };
    queries[metric.name] = { baseline: toPromQL(resolved.baseline), canary: toPromQL(resolved.canary) };
    const b: Series[] = await run('baseline', resolved.baseline);
    const c: Series[] = await run('canary', resolved.canary);
    const paired = pairSeries(metric.name, b, c, expected);
    warnings.push(...paired.warnings);
    pairs.push(...paired.pairs);
  }
  return { pairs, queries, warnings };
}

export { QueryBuildError };

const points = (times: number[], values: number[]): Array<[number, JsonNumber]> =>
  times.map((t, i) => [t, toJsonNumber(values[i] ?? Number.NaN)]);

const stats = (s: CanaryJudgeResult['results'][number]['controlMetadata']['stats']) => ({
  count: s.count,
  mean: toJsonNumber(s.mean),
  min: toJsonNumber(s.min),
  max: toJsonNumber(s.max),
  std: toJsonNumber(s.std),
});

/** The report of one judged interval: what the UI draws and a person reads. */
export function intervalReport(
  interval: PlannedInterval,
  fetched: Pick<FetchedInterval, 'pairs' | 'queries' | 'warnings'>,
  result: CanaryJudgeResult,
  judgedAt: Date,
): CanaryIntervalReport {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    index: interval.index,
    baseline: { start: iso(interval.baseline.start), end: iso(interval.baseline.end) },
    canary: { start: iso(interval.canary.start), end: iso(interval.canary.end) },
    score: result.score.score,
    classification: result.score.classification,
    explanation: result.score.explanation,
    judgedAt: judgedAt.toISOString(),
    groupScores: result.groupScores.map((g) => ({
      name: g.name,
      score: g.score,
      weight: g.weight,
      noData: g.noData,
    })),
    metrics: result.results.map((r, i) => {
      const pair = fetched.pairs[i]!;
      const warning = fetched.warnings.find((w) => w.startsWith(`${r.name}:`));
      return {
        name: r.name,
        tags: r.tags,
        groups: r.groups,
        classification: r.classification,
        ...(r.classificationReason ? { reason: r.classificationReason } : {}),
        critical: r.critical,
        muted: r.muted,
        ...(r.resultMetadata ? { ratio: toJsonNumber(r.resultMetadata.ratio) } : {}),
        explanation: warning && r.classification === 'Nodata' ? `${r.explanation} ${warning}` : r.explanation,
        baseline: {
          query: fetched.queries[r.name]?.baseline,
          stats: stats(r.controlMetadata.stats),
          series: points(pair.times.control, pair.values.control),
          ...(pair.denominators && pair.denominatorTimes
            ? { denominator: points(pair.denominatorTimes.control, pair.denominators.control) }
            : {}),
        },
        canary: {
          query: fetched.queries[r.name]?.canary,
          stats: stats(r.experimentMetadata.stats),
          series: points(pair.times.experiment, pair.values.experiment),
          ...(pair.denominators && pair.denominatorTimes
            ? { denominator: points(pair.denominatorTimes.experiment, pair.denominators.experiment) }
            : {}),
        },
        ...(r.analysis ? { analysis: jsonSafe(r.analysis) as Record<string, unknown> } : {}),
      };
    }),
    warnings: fetched.warnings,
  };
}

/** Pairs as stored (JSON-safe), and back. */
export function storedPairs(pairs: TimedPair[]): unknown {
  return jsonSafe(pairs);
}

export function restoredPairs(stored: unknown): TimedPair[] {
  const decode = (values: JsonNumber[]) => values.map(fromJsonNumber);
  return (stored as TimedPair[]).map((p) => {
    const raw = p as unknown as {
      values: { control: JsonNumber[]; experiment: JsonNumber[] };
      denominators?: { control: JsonNumber[]; experiment: JsonNumber[] };
    };
    return {
      ...p,
      values: { control: decode(raw.values.control), experiment: decode(raw.values.experiment) },
      ...(raw.denominators
        ? {
            denominators: {
              control: decode(raw.denominators.control),
              experiment: decode(raw.denominators.experiment),
            },
          }
        : {}),
    };
  });
}

/** Judges fetched pairs (a live interval, or a stored one replayed with another config). */
export function judgePairs(
  config: CanaryConfig,
  thresholds: Thresholds,
  pairs: TimedPair[],
): CanaryJudgeResult {
  return judge(config, thresholds, pairs);
}
