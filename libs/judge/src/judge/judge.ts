import { type CanaryConfig, judgeNameOf } from '../config/canary-config.js';
import { classifyMetric } from './classify-metric.js';
import { type CanaryJudgeResult, type MetricSetPair, type Thresholds } from './result.js';
import { scoreResults, summaryOf } from './score.js';

/** Data for a metric the config does not define, or a pair the judge cannot use. */
export class JudgeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JudgeInputError';
  }
}

/**
 * Judges one interval: each metric pair classified, groups scored, the summary classified against
 * `thresholds` (the request's, as Kayenta uses them; never the config's `scoreThresholds`).
 */
export function judge(
  config: CanaryConfig,
  thresholds: Thresholds,
  pairs: readonly MetricSetPair[],
): CanaryJudgeResult {
  const metrics = new Map(config.metrics.map((m) => [m.name, m]));
  const results = pairs.map((pair) => {
    const metric = metrics.get(pair.name);
    if (!metric)
      throw new JudgeInputError(`data for "${pair.name}", which the canary config does not define`);
    return classifyMetric(config, metric, pair);
  });
  const summary = scoreResults(results, config.classifier?.groupWeights ?? {});
  return {
    judgeName: judgeNameOf(config),
    results,
    groupScores: summary.groupScores,
    score: summaryOf(summary, thresholds),
  };
}
