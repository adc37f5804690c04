import { type Thresholds } from '@aviary/judge';

export type Verdict = 'pass' | 'marginal' | 'fail';

/** Orca's early stop: an interval at or below the marginal threshold fails the stage at once. */
export function stopsEarly(score: number, thresholds: Thresholds): boolean {
  return score <= thresholds.marginal;
}

/**
 * Orca's final verdict, from the last judged interval only: at or below marginal fails, below pass
 * is marginal (which also fails the stage), else pass. Note score == marginal is "Marginal" to
 * Kayenta but a failure here, as in Orca.
 */
export function finalVerdict(lastScore: number, thresholds: Thresholds): Verdict {
  if (lastScore <= thresholds.marginal) return 'fail';
  if (lastScore < thresholds.pass) return 'marginal';
  return 'pass';
}
