import { mean } from './descriptive.js';
import { rankSummary } from './ranking.js';

/** mean(canary) / mean(baseline); NaN when either mean is 0 (Kayenta's rule). */
export function meanRatio(control: ArrayLike<number>, experiment: ArrayLike<number>): number {
  const controlMean = mean(control);
  const experimentMean = mean(experiment);
  if (controlMean === 0 || experimentMean === 0) return Number.NaN;
  return experimentMean / controlMean;
}

/** Common-language effect size: P(canary > baseline) + P(tie) / 2. */
export function cles(control: ArrayLike<number>, experiment: ArrayLike<number>): number {
  const m = experiment.length;
  const n = control.length;
  const { firstRankSum } = rankSummary([...Array.from(experiment), ...Array.from(control)], m);
  return (2 * firstRankSum - m * (m + 1)) / (2 * n * m);
}
