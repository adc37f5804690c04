/**
 * Descriptive statistics computed the way commons-math computes them (Kayenta reports these and
 * divides by them): the mean with its second-pass correction, the sample variance, R-7 percentiles.
 */

export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const first = sum / n;
  let correction = 0;
  for (let i = 0; i < n; i++) correction += values[i]! - first;
  return first + correction / n;
}

/** Sample variance (n - 1), 0 for one value, NaN for none. */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return 0;
  const m = mean(values);
  let squares = 0;
  let deviations = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    squares += d * d;
    deviations += d;
  }
  return (squares - (deviations * deviations) / n) / (n - 1);
}

/** The R-7 (Excel, NumPy default) percentile of ascending `sorted`, `p` in [0, 100]. */
export function percentileR7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = 1 + ((n - 1) * p) / 100;
  const low = Math.floor(h);
  if (low >= n) return sorted[n - 1]!;
  const lower = sorted[low - 1]!;
  return lower + (h - low) * (sorted[low]! - lower);
}

export interface Stats {
  min: number;
  max: number;
  mean: number;
  std: number;
  count: number;
}

/** Kayenta's per-side summary: all zeros for an empty side. */
export function summary(values: ArrayLike<number>): Stats {
  const n = values.length;
  if (n === 0) return { min: 0, max: 0, mean: 0, std: 0, count: 0 };
  let min = values[0]!;
  let max = values[0]!;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < min || Number.isNaN(v)) min = v;
    if (v > max || Number.isNaN(v)) max = v;
  }
  return { min, max, mean: mean(values), std: Math.sqrt(variance(values)), count: n };
}

export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A sorted copy (numeric, NaN last). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}
