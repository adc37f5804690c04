import { z } from 'zod';

/**
 * A Kayenta canary configuration (`CanaryConfig.java`), read as leniently as Kayenta reads it:
 * unknown keys are kept, strings it would parse loosely (direction, nanStrategy, measure) are
 * any string. What Kayenta would throw on (a flag written as a string) is refused here with the path.
 */

export const NETFLIX_JUDGE = 'NetflixACAJudge-v1.0';
export const AVIARY_JUDGE = 'AviaryJudge-v1';
export const JUDGE_NAMES = [NETFLIX_JUDGE, AVIARY_JUDGE] as const;
export type JudgeName = (typeof JUDGE_NAMES)[number];

const Flag = z.boolean({
  error: (issue) =>
    `must be true or false, not ${JSON.stringify(issue.input)} (Kayenta fails the whole judgment on a string here)`,
});

const Probability = z.number().gt(0).lt(1);

/** Aviary's extensions, per metric (in `analysisConfigurations.canary`) or for the whole judge. */
const AviaryKnobs = {
  /** Width of the band the interval must clear, as a fraction of the estimate (Kayenta: 0.25). */
  tolerance: z.number().min(0).optional(),
  /** Confidence level of the interval (Kayenta: 0.98). */
  confLevel: Probability.optional(),
  /** Below this many points on either side (events, for ratio metrics) the metric is Nodata. */
  minSampleSize: z.int().min(0).optional(),
  /** Root finder tolerance: Kayenta's absolute 1e-4, or relative to the data's range. */
  rootFinder: z.enum(['kayenta', 'relative']).optional(),
  /** Use the exact Mann-Whitney distribution when both sides have at most 50 points and no ties. */
  exactTest: z.boolean().optional(),
};

const EffectSize = z.looseObject({
  measure: z.string().optional(),
  allowedIncrease: z.number().optional(),
  allowedDecrease: z.number().optional(),
  criticalIncrease: z.number().optional(),
  criticalDecrease: z.number().optional(),
});

const CanaryAnalysis = z.looseObject({
  direction: z.string().optional(),
  nanStrategy: z.string().optional(),
  critical: Flag.optional(),
  mustHaveData: Flag.optional(),
  muted: Flag.optional(),
  effectSize: EffectSize.optional(),
  outliers: z
    .looseObject({ strategy: z.string().optional(), outlierFactor: z.number().optional() })
    .optional(),
  ...AviaryKnobs,
});

/** The part of a metric query the Prometheus builder reads (Kayenta's PrometheusCanaryMetricSetQueryConfig). */
export const MetricQuery = z.looseObject({
  type: z.string().optional(),
  metricName: z.string().nullish(),
  labelBindings: z.array(z.string()).nullish(),
  groupByFields: z.array(z.string()).nullish(),
  customFilter: z.string().nullish(),
  customFilterTemplate: z.string().nullish(),
  customInlineTemplate: z.string().nullish(),
  resourceType: z.string().nullish(),
  /** Aviary: the per-second rate of a counter over `rateWindow` instead of its value. */
  rate: z.boolean().optional(),
  rateWindow: z.string().optional(),
});
export type MetricQuery = z.infer<typeof MetricQuery>;

/** Aviary: an error-rate metric, events (numerator) over requests (denominator), both counters. */
const RatioQuery = MetricQuery.extend({
  type: z.literal('ratio'),
  numerator: MetricQuery,
  denominator: MetricQuery,
});

export const CanaryMetricConfig = z.looseObject({
  name: z.string().min(1),
  groups: z.array(z.string()).nullish(),
  scopeName: z.string().nullish(),
  query: z.union([RatioQuery, MetricQuery]).default({}),
  analysisConfigurations: z.looseObject({ canary: CanaryAnalysis.optional() }).nullish(),
});
export type CanaryMetricConfig = z.infer<typeof CanaryMetricConfig>;

export const CanaryConfig = z.looseObject({
  name: z.string().nullish(),
  description: z.string().nullish(),
  configVersion: z.string().nullish(),
  applications: z.array(z.string()).nullish(),
  judge: z
    .looseObject({
      name: z.enum(JUDGE_NAMES, {
        error: (issue) =>
          `unknown judge ${JSON.stringify(issue.input)}: use ${JUDGE_NAMES.map((n) => `"${n}"`).join(' or ')}`,
      }),
      judgeConfigurations: z.looseObject(AviaryKnobs).nullish(),
    })
    .nullish(),
  templates: z.record(z.string(), z.string()).nullish(),
  metrics: z.array(CanaryMetricConfig).min(1, 'a canary config needs at least one metric'),
  classifier: z
    .looseObject({
      groupWeights: z.record(z.string(), z.number()).nullish(),
      scoreThresholds: z.looseObject({ pass: z.number(), marginal: z.number() }).nullish(),
    })
    .nullish(),
});
export type CanaryConfig = z.infer<typeof CanaryConfig>;

export class CanaryConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid canary config: ${problems.join('; ')}`);
    this.name = 'CanaryConfigError';
  }
}

/** Parses a canary config (JSON already read); throws CanaryConfigError naming each bad field. */
export function parseCanaryConfig(json: unknown): CanaryConfig {
  const parsed = CanaryConfig.safeParse(json);
  if (parsed.success) {
    const names = new Set<string>();
    for (const metric of parsed.data.metrics) {
      if (names.has(metric.name))
        throw new CanaryConfigError([`metrics: the name "${metric.name}" is used twice`]);
      names.add(metric.name);
    }
    return parsed.data;
  }
  throw new CanaryConfigError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`),
  );
}

export function judgeNameOf(config: CanaryConfig): JudgeName {
  return config.judge?.name ?? NETFLIX_JUDGE;
}

export function isRatioQuery(query: MetricQuery): query is z.infer<typeof RatioQuery> {
  return query.type === 'ratio';
}
