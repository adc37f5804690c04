import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * Kayenta takes its quantiles from commons-math, whose last bit differs from stdlib's for the two
 * confidence levels everyone uses; a one-ulp difference can move a root across a tie, so those two
 * are the commons-math values.
 */
const COMMONS_MATH_LOWER_QUANTILES = new Map<number, number>([
  [0.98, -2.326347874040841],
  [0.95, -1.959963984540054],
]);

/** Φ⁻¹(p) of the standard normal distribution. */
export function standardNormalQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Φ⁻¹((1 - confLevel) / 2): the lower quantile of a two-sided interval at `confLevel`. */
export function twoSidedLowerQuantile(confLevel: number): number {
  return COMMONS_MATH_LOWER_QUANTILES.get(confLevel) ?? normalQuantile((1 - confLevel) / 2, 0, 1);
}

/** Φ(z) of the standard normal distribution. */
export function standardNormalCdf(z: number): number {
  return normalCdf(z, 0, 1);
}

/** P(Z > z), accurate in the upper tail (no 1 - Φ(z) cancellation). */
export function standardNormalSf(z: number): number {
  return normalCdf(-z, 0, 1);
}
