import { type CanaryConfig, type CanaryMetricConfig } from '../config/canary-config.js';
import { type MetricParams, metricParams } from '../config/metric-params.js';
import { summary } from '../stats/descriptive.js';
import { cles, meanRatio } from '../stats/effect-sizes.js';
import {
  asymptoticShiftInterval,
  exactShiftInterval,
  hasTies,
  type ShiftInterval,
} from '../stats/mann-whitney.js';
import { standardNormalQuantile } from '../stats/normal.js';
import { proportionDifferenceInterval } from '../stats/proportion.js';
import { num, percent, signed } from './explain.js';
import { prepareCounts, prepareSide } from './preprocess.js';
import { type Classification, type MetricAnalysis, type MetricResult, type MetricSetPair } from './result.js';

/** Samples up to this size, without ties, get the exact distribution when `exactTest` is on. */
export const EXACT_TEST_MAX_SAMPLES = 50;

type Outcome = Pick<MetricResult, 'classification' | 'classificationReason' | 'critical' | 'explanation'> & {
  ratio?: number;
  analysis?: MetricAnalysis;
};

interface Sides {
  control: number[];
  experiment: number[];
}

const sorted = (values: readonly number[]) => Float64Array.from(values).sort();

function sameElements(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = sorted(a);
  const sb = sorted(b);
  return sa.every((v, i) => v === sb[i]);
}

/**
 * Kayenta breaks exact ties between two constant sides with random noise (sd = 1e-5 × the value);
 * the same spread here comes from evenly spaced normal quantiles, so the same input always gets the
 * same answer.
 */
function withDeterministicNoise(values: number[]): number[] {
  const sd = values[0]! * 1e-5;
  if (sd === 0) return values;
  const n = values.length;
  return values.map((v, i) => v + sd * standardNormalQuantile((i + 0.5) / n));
}

function sizes(sides: Sides) {
  return `baseline ${sides.control.length} point${sides.control.length === 1 ? '' : 's'}, canary ${sides.experiment.length}`;
}

function missingData(
  name: string,
  params: MetricParams,
  why: string,
): Pick<Outcome, 'classification' | 'classificationReason' | 'critical' | 'ratio'> & { explanation: string } {
  if (params.mustHaveData && !params.critical)
    return {
      classification: 'NodataFailMetric',
      classificationReason: `Missing data for ${name}`,
      critical: false,
      ratio: 1.0,
      explanation: `NodataFailMetric: ${why}; the metric must have data, so it counts as a failed metric in its group.`,
    };
  return {
    classification: 'Nodata',
    classificationReason: `Missing data for ${name}`,
    critical: params.critical,
    ratio: 1.0,
    explanation: params.critical
      ? `Nodata: ${why}; the metric is critical, so missing data fails the canary.`
      : `Nodata: ${why}; the metric is left out of its group's score (it counts toward the 50 % no-data rule).`,
  };
}

/** Whether a significant change also clears its effect-size bound, and in words why (not). */
function effectClause(
  params: MetricParams,
  label: string,
  effect: number,
  side: 'increase' | 'decrease',
): { ok: boolean; words: string } {
  const bound = side === 'increase' ? params.effectSize.allowedIncrease : params.effectSize.allowedDecrease;
  if (Number.isNaN(effect))
    return { ok: true, words: `the ${label} is undefined (a mean is 0), so the interval alone decides` };
  const ok = side === 'increase' ? effect >= bound : effect <= bound;
  const relation = side === 'increase' ? (ok ? 'at least' : 'below') : ok ? 'at most' : 'above';
  return { ok, words: `the ${label} ${num(effect)} is ${relation} the allowed ${side} ${num(bound)}` };
}

interface Comparison {
  interval: { lower: number; upper: number; estimate: number };
  effect: number;
  effectLabel: string;
  methodWords: string;
  confLevel: number;
  what: string;
}

/** The decision shared by the rank test and the proportion test, with its explanation. */
function decide(
  name: string,
  params: MetricParams,
  c: Comparison,
  footer: string,
): Omit<Outcome, 'ratio' | 'analysis'> {
  const bound = params.tolerance * Math.abs(c.interval.estimate);
  const { lower, upper, estimate } = c.interval;
  const head = `${c.what}: estimate ${signed(estimate)}, ${percent(c.confLevel)} interval [${signed(lower)}, ${signed(upper)}] (${c.methodWords}); band ±${num(bound)} (${percent(params.tolerance)} of |estimate|).`;
  const above = lower > bound;
  const below = upper < -bound;
  const increase = effectClause(params, c.effectLabel, c.effect, 'increase');
  const decrease = effectClause(params, c.effectLabel, c.effect, 'decrease');
  const mayIncrease = params.direction !== 'decrease';
  const mayDecrease = params.direction !== 'increase';
  let classification: Classification = 'Pass';
  let why: string;
  if (above && mayIncrease && increase.ok) {
    classification = 'High';
    why = `The interval lies wholly above the band and ${increase.words}: the canary is higher.`;
  } else if (below && mayDecrease && decrease.ok) {
    classification = 'Low';
    why = `The interval lies wholly below the band and ${decrease.words}: the canary is lower.`;
  } else if (above && !mayIncrease) {
    why = `The interval lies above the band, but this metric fails only on a decrease.`;
  } else if (below && !mayDecrease) {
    why = `The interval lies below the band, but this metric fails only on an increase.`;
  } else if (above) {
    why = `The interval lies above the band, but ${increase.words}: too small to matter.`;
  } else if (below) {
    why = `The interval lies below the band, but ${decrease.words}: too small to matter.`;
  } else {
    why = `The interval does not clear the band: no significant difference.`;
  }
  let critical = false;
  if (params.critical && classification !== 'Pass') {
    const high = classification === 'High';
    const limit = high ? params.effectSize.criticalIncrease : params.effectSize.criticalDecrease;
    const beyond = Number.isNaN(c.effect) || (high ? c.effect >= limit : c.effect <= limit);
    if (beyond) {
      critical = true;
      why += Number.isNaN(c.effect)
        ? ` The metric is critical and its ${c.effectLabel} is undefined: the canary fails.`
        : ` The metric is critical and ${num(c.effect)} is ${high ? 'at or above' : 'at or below'} the critical ${high ? 'increase' : 'decrease'} ${num(limit)}: the canary fails.`;
    } else {
      why += ` The metric is critical, but ${num(c.effect)} does not reach the critical ${high ? 'increase' : 'decrease'} ${num(limit)}, so it counts as an ordinary ${classification}.`;
    }
  }
  return {
    classification,
    ...(classification === 'Pass'
      ? {}
      : {
          classificationReason: critical
            ? `The metric ${name} was classified as ${classification} (Critical)`
            : `${name} was classified as ${classification}`,
        }),
    critical,
    explanation: `${classification}: ${head} ${why} ${footer}`,
  };
}

function compareValues(name: string, params: MetricParams, sides: Sides): Outcome {
  let { control, experiment } = sides;
  const noise = new Set(experiment).size === 1 && new Set(control).size === 1;
  if (noise) {
    experiment = withDeterministicNoise(experiment);
    control = withDeterministicNoise(control);
  }
  const exact =
    params.exactTest &&
    experiment.length <= EXACT_TEST_MAX_SAMPLES &&
    control.length <= EXACT_TEST_MAX_SAMPLES &&
    !hasTies(experiment, control);
  const interval: ShiftInterval = exact
    ? exactShiftInterval(experiment, control, params.confLevel)
    : asymptoticShiftInterval(experiment, control, params.confLevel, params.rootFinder);
  const ratio = meanRatio(control, experiment);
  const effect = params.effectSize.measure === 'cles' ? cles(control, experiment) : ratio;
  const effectLabel = params.effectSize.measure === 'cles' ? 'CLES (P(canary > baseline))' : 'mean ratio';
  const c = summary(sides.control);
  const e = summary(sides.experiment);
  const footer =
    `Baseline ${c.count} points (mean ${num(c.mean)}), canary ${e.count} points (mean ${num(e.mean)})` +
    (noise
      ? '; both sides were constant, so a tiny deterministic spread (1e-5 of the value) was added.'
      : '.');
  const outcome = decide(
    name,
    params,
    {
      interval,
      effect,
      effectLabel,
      confLevel: params.confLevel,
      methodWords: exact
        ? 'Mann-Whitney, exact distribution'
        : `Mann-Whitney, normal approximation, root tolerance ${num(interval.tolerance ?? 0)}`,
      what: 'Shift canary − baseline',
    },
    footer,
  );
  const bound = params.tolerance * Math.abs(interval.estimate);
  return {
    ...outcome,
    ratio,
    analysis: {
      method: exact ? 'mann-whitney-exact' : 'mann-whitney-asymptotic',
      estimate: interval.estimate,
      interval: { lower: interval.lower, upper: interval.upper, confLevel: params.confLevel },
      band: { lower: -bound, upper: bound, tolerance: params.tolerance },
      effectSize: { measure: params.effectSize.measure, value: effect, ...bounds(params) },
      direction: params.direction,
      sampleSize: { baseline: sides.control.length, canary: sides.experiment.length },
      removed: { baselineNaN: 0, canaryNaN: 0, baselineOutliers: 0, canaryOutliers: 0 },
      ...(interval.tolerance === undefined ? {} : { rootTolerance: interval.tolerance }),
    },
  };
}

const bounds = (params: MetricParams) => ({
  allowedIncrease: params.effectSize.allowedIncrease,
  allowedDecrease: params.effectSize.allowedDecrease,
  criticalIncrease: params.effectSize.criticalIncrease,
  criticalDecrease: params.effectSize.criticalDecrease,
});

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function classifyValues(name: string, params: MetricParams, pair: MetricSetPair) {
  const control = prepareSide(pair.values.control, params);
  const experiment = prepareSide(pair.values.experiment, params);
  const sides: Sides = { control: control.values, experiment: experiment.values };
  const removed = {
    baselineNaN: control.nanRemoved,
    canaryNaN: experiment.nanRemoved,
    baselineOutliers: control.outliersRemoved,
    canaryOutliers: experiment.outliersRemoved,
  };
  const removedWords = [
    removed.baselineNaN + removed.canaryNaN > 0
      ? `${removed.baselineNaN} baseline and ${removed.canaryNaN} canary NaN points dropped`
      : '',
    removed.baselineOutliers + removed.canaryOutliers > 0
      ? `${removed.baselineOutliers} baseline and ${removed.canaryOutliers} canary outliers removed`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  const stats = { control: summary(sides.control), experiment: summary(sides.experiment) };
  const outcome = ((): Outcome => {
    if (sides.experiment.length === 0 || sides.control.length === 0) {
      if (params.nanStrategy === 'replace')
        return {
          classification: 'Pass',
          critical: false,
          ratio: 1.0,
          explanation: `Pass: no data (${sizes(sides)}), and with nanStrategy "replace" Kayenta passes an empty metric.`,
        };
      return missingData(name, params, `no data to compare (${sizes(sides)})`);
    }
    if (
      params.minSampleSize > 0 &&
      (sides.experiment.length < params.minSampleSize || sides.control.length < params.minSampleSize)
    ) {
      const outcome = missingData(
        name,
        params,
        `too few points to judge (${sizes(sides)}; the minimum is ${params.minSampleSize} a side)`,
      );
      return {
        ...outcome,
        classificationReason: `Too few data points for ${name}: ${sizes(sides)}, minimum ${params.minSampleSize}`,
      };
    }
    if (sameElements(sides.experiment, sides.control))
      return {
        classification: 'Pass',
        classificationReason: 'The Canary and Baseline data are identical',
        critical: false,
        ratio: 1.0,
        explanation: `Pass: the canary's and the baseline's values are identical (${sizes(sides)}).`,
      };
    if (new Set([...sides.experiment, ...sides.control]).size === 1)
      return {
        classification: 'Pass',
        critical: false,
        ratio: 1.0,
        explanation: `Pass: every value on both sides is ${num(sides.experiment[0]!)} (${sizes(sides)}).`,
      };
    return compareValues(name, params, sides);
  })();
  const explanation = removedWords ? `${outcome.explanation} (${removedWords}.)` : outcome.explanation;
  const analysis = outcome.analysis ? { ...outcome.analysis, removed } : undefined;
  return { outcome: { ...outcome, explanation, ...(analysis ? { analysis } : {}) }, stats };
}

function classifyRatio(name: string, params: MetricParams, pair: MetricSetPair) {
  const den = pair.denominators ?? { control: [], experiment: [] };
  const control = prepareCounts(pair.values.control, den.control, params);
  const experiment = prepareCounts(pair.values.experiment, den.experiment, params);
  const rates = (side: { numerator: number[]; denominator: number[] }) =>
    side.numerator.flatMap((n, i) => (side.denominator[i]! > 0 ? [n / side.denominator[i]!] : []));
  const stats = { control: summary(rates(control)), experiment: summary(rates(experiment)) };
  const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const b = { events: total(control.numerator), trials: total(control.denominator) };
  const k = { events: total(experiment.numerator), trials: total(experiment.denominator) };
  const counts = `baseline ${num(b.events)} of ${num(b.trials)}, canary ${num(k.events)} of ${num(k.trials)}`;
  const outcome = ((): Outcome => {
    if (b.trials <= 0 || k.trials <= 0) {
      if (params.nanStrategy === 'replace' && control.numerator.length > 0 && experiment.numerator.length > 0)
        return {
          classification: 'Pass',
          critical: false,
          ratio: 1.0,
          explanation: `Pass: no events in the denominator (${counts}).`,
        };
      return missingData(name, params, `no requests to compare (${counts})`);
    }
    if (params.minSampleSize > 0 && (b.trials < params.minSampleSize || k.trials < params.minSampleSize)) {
      const outcome = missingData(
        name,
        params,
        `too few requests to judge (${counts}; the minimum is ${params.minSampleSize} a side)`,
      );
      return {
        ...outcome,
        classificationReason: `Too few data points for ${name}: ${counts}, minimum ${params.minSampleSize}`,
      };
    }
    const interval = proportionDifferenceInterval(k, b, params.confLevel);
    const rateRatio =
      interval.baselineRate === 0 || interval.canaryRate === 0
        ? Number.NaN
        : interval.canaryRate / interval.baselineRate;
    if (interval.canaryRate === interval.baselineRate)
      return {
        classification: 'Pass',
        critical: false,
        ratio: 1.0,
        explanation: `Pass: both sides have the rate ${percent(interval.canaryRate)} (${counts}).`,
      };
    const outcome = decide(
      name,
      params,
      {
        interval,
        effect: rateRatio,
        effectLabel: 'rate ratio',
        confLevel: params.confLevel,
        methodWords: 'difference of proportions, Newcombe score interval',
        what: `Rate canary − baseline (${percent(interval.canaryRate)} vs ${percent(interval.baselineRate)})`,
      },
      `Counts: ${counts}.`,
    );
    const bound = params.tolerance * Math.abs(interval.estimate);
    return {
      ...outcome,
      ratio: rateRatio,
      analysis: {
        method: 'proportion',
        estimate: interval.estimate,
        interval: { lower: interval.lower, upper: interval.upper, confLevel: params.confLevel },
        band: { lower: -bound, upper: bound, tolerance: params.tolerance },
        effectSize: { measure: 'rateRatio', value: rateRatio, ...bounds(params) },
        direction: params.direction,
        sampleSize: { baseline: b.trials, canary: k.trials },
        removed: {
          baselineNaN: control.nanRemoved,
          canaryNaN: experiment.nanRemoved,
          baselineOutliers: 0,
          canaryOutliers: 0,
        },
        rates: {
          baseline: interval.baselineRate,
          canary: interval.canaryRate,
          baselineEvents: b.events,
          canaryEvents: k.events,
        },
      },
    };
  })();
  return { outcome, stats };
}

const tagsKey = (tags: Record<string, string>) =>
  Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Classifies one metric pair as Kayenta's NetflixACAJudge does (with the extensions the config asks for). */
export function classifyMetric(
  config: CanaryConfig,
  metric: CanaryMetricConfig,
  pair: MetricSetPair,
): MetricResult {
  const params = metricParams(config, metric);
  const tags = pair.tags ?? {};
  const base = {
    name: pair.name,
    id: pair.id ?? (Object.keys(tags).length ? `${pair.name}{${tagsKey(tags)}}` : pair.name),
    tags,
    groups: metric.groups ?? [],
    muted: params.muted,
  };
  try {
    const { outcome, stats } =
      params.kind === 'ratio'
        ? classifyRatio(pair.name, params, pair)
        : classifyValues(pair.name, params, pair);
    return dropUndefined({
      ...base,
      classification: outcome.classification,
      classificationReason: outcome.classificationReason,
      critical: outcome.critical,
      resultMetadata: { ratio: outcome.ratio ?? 1.0 },
      experimentMetadata: { stats: stats.experiment },
      controlMetadata: { stats: stats.control },
      explanation: params.muted
        ? `${outcome.explanation} The metric is muted: it is not scored.`
        : outcome.explanation,
      analysis: outcome.analysis,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...base,
      classification: 'Error',
      classificationReason: 'Metric Classification Failed',
      critical: false,
      experimentMetadata: { stats: summary([]) },
      controlMetadata: { stats: summary([]) },
      explanation: `Error: the metric could not be classified (${message}); it is left out of the score.`,
    };
  }
}
