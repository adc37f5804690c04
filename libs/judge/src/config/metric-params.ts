import { type RootTolerance } from '../stats/mann-whitney.js';
import {
  AVIARY_JUDGE,
  type CanaryConfig,
  type CanaryMetricConfig,
  isRatioQuery,
  judgeNameOf,
} from './canary-config.js';

export type Direction = 'increase' | 'decrease' | 'either';

/** Everything that decides one metric, with Kayenta's defaults and parsing applied. */
export interface MetricParams {
  direction: Direction;
  nanStrategy: 'remove' | 'replace';
  outliers: { strategy: 'remove' | 'keep'; factor: number };
  critical: boolean;
  mustHaveData: boolean;
  muted: boolean;
  effectSize: {
    measure: 'meanRatio' | 'cles';
    allowedIncrease: number;
    allowedDecrease: number;
    criticalIncrease: number;
    criticalDecrease: number;
  };
  tolerance: number;
  confLevel: number;
  rootFinder: RootTolerance;
  exactTest: boolean;
  /** 0: off. */
  minSampleSize: number;
  kind: 'values' | 'ratio';
}

/** Hard-coded in Kayenta's NetflixACAJudge: the classifier gets these two, whatever the config says. */
export const KAYENTA_TOLERANCE = 0.25;
export const KAYENTA_CONF_LEVEL = 0.98;

export function metricParams(config: CanaryConfig, metric: CanaryMetricConfig): MetricParams {
  const canary = metric.analysisConfigurations?.canary ?? {};
  const aviary = judgeNameOf(config) === AVIARY_JUDGE;
  const judgeLevel = aviary ? (config.judge?.judgeConfigurations ?? {}) : {};
  const direction: Direction =
    canary.direction === 'increase' || canary.direction === 'decrease' ? canary.direction : 'either';
  const measure = canary.effectSize?.measure === 'cles' ? 'cles' : 'meanRatio';
  const fallback = measure === 'cles' ? 0.5 : 1.0;
  const effect = canary.effectSize ?? {};
  return {
    direction,
    nanStrategy: canary.nanStrategy === 'replace' ? 'replace' : 'remove',
    outliers: {
      strategy: canary.outliers?.strategy === 'remove' ? 'remove' : 'keep',
      factor: canary.outliers?.outlierFactor ?? 3.0,
    },
    critical: canary.critical ?? false,
    mustHaveData: canary.mustHaveData ?? false,
    muted: canary.muted ?? false,
    effectSize: {
      measure,
      allowedIncrease: effect.allowedIncrease ?? fallback,
      allowedDecrease: effect.allowedDecrease ?? fallback,
      criticalIncrease: effect.criticalIncrease ?? fallback,
      criticalDecrease: effect.criticalDecrease ?? fallback,
    },
    tolerance: canary.tolerance ?? judgeLevel.tolerance ?? KAYENTA_TOLERANCE,
    confLevel: canary.confLevel ?? judgeLevel.confLevel ?? KAYENTA_CONF_LEVEL,
    rootFinder: canary.rootFinder ?? judgeLevel.rootFinder ?? (aviary ? 'relative' : 'kayenta'),
    exactTest: canary.exactTest ?? judgeLevel.exactTest ?? aviary,
    minSampleSize: canary.minSampleSize ?? judgeLevel.minSampleSize ?? 0,
    kind: isRatioQuery(metric.query) ? 'ratio' : 'values',
  };
}
