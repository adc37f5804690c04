export {
  AVIARY_JUDGE,
  CanaryConfig,
  CanaryConfigError,
  CanaryMetricConfig,
  JUDGE_NAMES,
  MetricQuery,
  NETFLIX_JUDGE,
  isRatioQuery,
  judgeNameOf,
  parseCanaryConfig,
  type JudgeName,
} from './config/canary-config.js';
export {
  KAYENTA_CONF_LEVEL,
  KAYENTA_TOLERANCE,
  metricParams,
  type MetricParams,
} from './config/metric-params.js';
export { judge, JudgeInputError } from './judge/judge.js';
export { classifyMetric } from './judge/classify-metric.js';
export { roundHalfUp } from './judge/round.js';
export { classifyScore, NODATA_THRESHOLD } from './judge/score.js';
export type {
  CanaryJudgeResult,
  Classification,
  GroupScore,
  MetricAnalysis,
  MetricResult,
  MetricSetPair,
  ScoreClassification,
  Thresholds,
} from './judge/result.js';
export { JudgeData, JudgeDataError, pairsFromData } from './data/judge-data.js';
export { SampleValue, parseSampleValue } from './data/sample-value.js';
export {
  buildPrometheusQueries,
  QueryBuildError,
  resolveQuery,
  resolveRatioQueries,
  toPromQL,
  type BuildOptions,
  type QueryScope,
  type ResolvedQuery,
} from './query/prometheus-query.js';
export { matches, parseMatcher, type LabelMatcher } from './query/matchers.js';
export {
  asymptoticShiftInterval,
  exactShiftInterval,
  hodgesLehmann,
  mannWhitneyTest,
  pairwiseDifferences,
  type MannWhitneyTest,
  type ShiftInterval,
} from './stats/mann-whitney.js';
export { proportionDifferenceInterval } from './stats/proportion.js';
export { summary, type Stats } from './stats/descriptive.js';
