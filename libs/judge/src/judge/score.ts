import { num } from './explain.js';
import { roundHalfUp } from './round.js';
import {
  type CanaryJudgeResult,
  type GroupScore,
  type MetricResult,
  type ScoreClassification,
  type Thresholds,
} from './result.js';

/** Kayenta's NODATA_THRESHOLD: this share of Nodata results (in %) or more fails the canary. */
export const NODATA_THRESHOLD = 50;

const SCORED = new Set(['Pass', 'High', 'Low', 'NodataFailMetric']);

export interface Summary {
  score: number;
  reason: string;
  groupScores: GroupScore[];
  explanation: string;
}

/**
 * Kayenta's WeightedSumScorer: critical failures first, then the 50 % no-data rule, then the
 * weighted sum of group scores (weights never renormalised), rounded half-up to 2 places.
 */
export function scoreResults(results: MetricResult[], groupWeights: Record<string, number>): Summary {
  const scored = results.filter((r) => !r.muted);
  const groupNames: string[] = [];
  for (const result of scored) for (const g of result.groups) if (!groupNames.includes(g)) groupNames.push(g);
  const configured = Object.values(groupWeights).reduce((a, b) => a + b, 0);
  const unweighted = groupNames.filter((g) => !(g in groupWeights));
  const defaultWeight = unweighted.length > 0 ? (100 - configured) / unweighted.length : 0;
  const groupScores: GroupScore[] = groupNames.map((name) => {
    const members = scored.filter((r) => r.groups.includes(name) && SCORED.has(r.classification));
    const passed = members.filter((r) => r.classification === 'Pass').length;
    const noData = members.length === 0;
    return {
      name,
      score: noData ? 0.0 : (passed / members.length) * 100,
      classification: '',
      classificationReason: '',
      weight: groupWeights[name] ?? defaultWeight,
      noData,
    };
  });

  const criticalFailure = scored.find((r) => r.critical && r.classification !== 'Pass');
  if (criticalFailure)
    return {
      score: 0.0,
      reason: `Canary Failed: ${criticalFailure.classificationReason ?? ''}`,
      groupScores,
      explanation: `Score 0: the critical metric ${criticalFailure.name} is ${criticalFailure.classification}, which fails the canary whatever the other metrics say.`,
    };
  const nodata = scored.filter((r) => r.classification === 'Nodata').length;
  const nodataPercent = (nodata / scored.length) * 100;
  if (nodataPercent >= NODATA_THRESHOLD)
    return {
      score: 0.0,
      reason: `Canary Failed: ${NODATA_THRESHOLD}% or more metrics returned NODATA`,
      groupScores,
      explanation: `Score 0: ${nodata} of ${scored.length} metrics had no data (${num(nodataPercent)} %, the limit is ${NODATA_THRESHOLD} %).`,
    };
  let sum = 0;
  for (const group of groupScores) sum += (group.noData ? 100.0 : group.score) * (group.weight / 100);
  const score = roundHalfUp(sum, 2);
  const parts = groupScores.map(
    (g) => `${g.name} ${g.noData ? '100 (no scoreable metric)' : num(g.score)} × ${num(g.weight)} %`,
  );
  const notes = [
    Math.abs(configured - 100) > 1e-9 && unweighted.length === 0
      ? `the weights add up to ${num(configured)}, not 100, and are not renormalised`
      : '',
    Object.keys(groupWeights).filter((g) => !groupNames.includes(g)).length > 0
      ? `groups with a weight but no metric (${Object.keys(groupWeights)
          .filter((g) => !groupNames.includes(g))
          .join(', ')}) lose their share`
      : '',
  ].filter(Boolean);
  return {
    score,
    reason: '',
    groupScores,
    explanation:
      `Score ${num(score)} = ${parts.length ? parts.join(' + ') : 'no group'}` +
      (notes.length ? `; ${notes.join('; ')}.` : '.'),
  };
}

/** Kayenta's ThresholdScoreClassifier. */
export function classifyScore(score: number, thresholds: Thresholds): ScoreClassification {
  if (score >= thresholds.pass) return 'Pass';
  if (score >= thresholds.marginal) return 'Marginal';
  return 'Fail';
}

export function summaryOf(summary: Summary, thresholds: Thresholds): CanaryJudgeResult['score'] {
  const classification = classifyScore(summary.score, thresholds);
  const verdict =
    classification === 'Pass'
      ? `at least the pass threshold ${num(thresholds.pass)}`
      : classification === 'Marginal'
        ? `below the pass threshold ${num(thresholds.pass)} but at least the marginal ${num(thresholds.marginal)}`
        : `below the marginal threshold ${num(thresholds.marginal)}`;
  return {
    score: summary.score,
    classification,
    classificationReason: summary.reason,
    explanation: `${classification}: ${summary.explanation} ${num(summary.score)} is ${verdict}.`,
  };
}
