import { brentSolve } from './brent.js';
import { median, sortedCopy } from './descriptive.js';
import { exactCdf, exactQuantile, exactSf } from './exact-wilcoxon.js';
import { standardNormalSf, twoSidedLowerQuantile } from './normal.js';
import { mergedRankSummary, rankSummary } from './ranking.js';

/** A confidence interval of the location shift canary - baseline, and its point estimate. */
export interface ShiftInterval {
  lower: number;
  upper: number;
  estimate: number;
  method: 'asymptotic' | 'exact';
  /** The root finder's absolute tolerance (asymptotic only). */
  tolerance?: number;
}

/** Thrown when every observation ties: the normal approximation has no spread. */
export class AllTiedError extends Error {
  constructor() {
    super('cannot compute confidence interval when all observations are tied');
    this.name = 'AllTiedError';
  }
}

/** Kayenta's (and R's uniroot default) absolute tolerance. */
export const KAYENTA_ROOT_TOLERANCE = 1e-4;

/** Relative tolerance of the Aviary root finder, as a fraction of the range of the shifts. */
const RELATIVE_ROOT_TOLERANCE = 1e-9;

export type RootTolerance = 'kayenta' | 'relative';

/**
 * The standardised Wilcoxon statistic of x - d against y, less `zq`, as R's
 * `wilcox.test(conf.int = TRUE, exact = FALSE, correct = TRUE)` (and Kayenta) compute it.
 */
class WilcoxonDifference {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly shifted: Float64Array;
  private readonly finite: boolean;

  constructor(x: ArrayLike<number>, y: ArrayLike<number>) {
    this.xs = sortedCopy(x);
    this.ys = sortedCopy(y);
    this.shifted = new Float64Array(this.xs.length);
    this.finite = this.xs.every(Number.isFinite) && this.ys.every(Number.isFinite);
  }

  get nx() {
    return this.xs.length;
  }
  get ny() {
    return this.ys.length;
  }
  get minShift() {
    return this.xs[0]! - this.ys[this.ny - 1]!;
  }
  get maxShift() {
    return this.xs[this.nx - 1]! - this.ys[0]!;
  }

  at(d: number, zq: number): number {
    const { nx, ny } = this;
    for (let i = 0; i < nx; i++) this.shifted[i] = this.xs[i]! - d;
    const { firstRankSum, tieTerm } =
      this.finite && Number.isFinite(d)
        ? mergedRankSummary(this.shifted, this.ys)
        : rankSummary([...this.shifted, ...this.ys], nx);
    const dz = firstRankSum - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
    const correction = Math.sign(dz) * 0.5;
    const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - tieTerm / ((nx + ny) * (nx + ny - 1))));
    if (sigma === 0) throw new AllTiedError();
    return (dz - correction) / sigma - zq;
  }
}

/**
 * Kayenta's interval: the normal approximation at any n, with tie and continuity correction, roots
 * found by Brent's method; the estimate keeps the continuity correction (R drops it).
 * x = canary (experiment), y = baseline (control).
 */
export function asymptoticShiftInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  confLevel: number,
  rootTolerance: RootTolerance = 'kayenta',
): ShiftInterval {
  const w = new WilcoxonDifference(x, y);
  const muMin = w.minShift;
  const muMax = w.maxShift;
  const tolerance =
    rootTolerance === 'kayenta'
      ? KAYENTA_ROOT_TOLERANCE
      : Math.max((muMax - muMin) * RELATIVE_ROOT_TOLERANCE, Number.MIN_VALUE);
  const zQuant = twoSidedLowerQuantile(confLevel);
  const root = (zq: number) => {
    const fLower = w.at(muMin, zq);
    const fUpper = w.at(muMax, zq);
    if (fLower <= 0) return muMin;
    if (fUpper >= 0) return muMax;
    return brentSolve(muMin, muMax, fLower, fUpper, (d) => w.at(d, zq), { tolerance });
  };
  const lower = root(-zQuant);
  const upper = root(zQuant);
  const estimate = brentSolve(muMin, muMax, w.at(muMin, 0), w.at(muMax, 0), (d) => w.at(d, 0), {
    tolerance,
  });
  return { lower, upper, estimate, method: 'asymptotic', tolerance };
}

/** All pairwise differences x_i - y_j, ascending (the Hodges-Lehmann estimate is their median). */
export function pairwiseDifferences(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const diffs = new Float64Array(x.length * y.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) diffs[k++] = x[i]! - y[j]!;
  return diffs.sort();
}

/** The Hodges-Lehmann shift: the median of the pairwise differences canary - baseline. */
export function hodgesLehmann(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return median(pairwiseDifferences(x, y));
}

/**
 * R's exact interval (`wilcox.test(exact = TRUE)`, no ties): order statistics of the pairwise
 * differences at the exact Mann-Whitney quantiles; the estimate is the Hodges-Lehmann shift.
 */
export function exactShiftInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  confLevel: number,
): ShiftInterval {
  const nx = x.length;
  const ny = y.length;
  const diffs = pairwiseDifferences(x, y);
  let qu = exactQuantile((1 - confLevel) / 2, nx, ny);
  if (qu === 0) qu = 1;
  const ql = nx * ny - qu;
  return { lower: diffs[qu - 1]!, upper: diffs[ql]!, estimate: median(diffs), method: 'exact' };
}

export function hasTies(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  const all = sortedCopy([...Array.from(x), ...Array.from(y)]);
  for (let i = 1; i < all.length; i++) if (all[i] === all[i - 1]) return true;
  return false;
}

export interface MannWhitneyTest {
  /** U of x (canary): the pairs (x_i, y_j) with x_i > y_j, ties counting one half. */
  u: number;
  /** Two-sided p-value, normal approximation with tie and continuity correction (scipy's default). */
  pAsymptotic: number;
  /** Two-sided exact p-value (only without ties). */
  pExact?: number;
}

/** The Mann-Whitney U test of x against y, as scipy.stats.mannwhitneyu computes it. */
export function mannWhitneyTest(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyTest {
  const nx = x.length;
  const ny = y.length;
  const { firstRankSum, tieTerm } = rankSummary([...Array.from(x), ...Array.from(y)], nx);
  const u = firstRankSum - (nx * (nx + 1)) / 2;
  const uMax = Math.max(u, nx * ny - u);
  const n = nx + ny;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (uMax - (nx * ny) / 2 - 0.5) / sigma;
  const pAsymptotic = Math.min(1, Math.max(0, 2 * standardNormalSf(z)));
  if (tieTerm !== 0) return { u, pAsymptotic };
  const pExact = Math.min(1, 2 * Math.min(exactCdf(nx * ny - uMax, nx, ny), exactSf(uMax, nx, ny)));
  return { u, pAsymptotic, pExact };
}
