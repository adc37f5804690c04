import { twoSidedLowerQuantile } from './normal.js';

export interface ProportionInterval {
  /** Estimated difference of the proportions, canary - baseline. */
  estimate: number;
  lower: number;
  upper: number;
  canaryRate: number;
  baselineRate: number;
}

/** Wilson's score interval of one proportion. */
function wilson(events: number, trials: number, z: number): [number, number] {
  const p = events / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval for the difference of two proportions (his method 10): unlike
 * the Wald interval it stays sensible with zero events and small rates, which is where error rates
 * live.
 */
export function proportionDifferenceInterval(
  canary: { events: number; trials: number },
  baseline: { events: number; trials: number },
  confLevel: number,
): ProportionInterval {
  const z = -twoSidedLowerQuantile(confLevel);
  const p1 = canary.events / canary.trials;
  const p2 = baseline.events / baseline.trials;
  const [l1, u1] = wilson(canary.events, canary.trials, z);
  const [l2, u2] = wilson(baseline.events, baseline.trials, z);
  const d = p1 - p2;
  return {
    estimate: d,
    lower: d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
    upper: d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    canaryRate: p1,
    baselineRate: p2,
  };
}
