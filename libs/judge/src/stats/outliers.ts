import { percentileR7, sortedCopy } from './descriptive.js';

export interface Fences {
  lower: number;
  upper: number;
}

/**
 * Kayenta's IQR detector with reduced sensitivity: the Tukey fences `factor` IQRs beyond the
 * quartiles, widened to the 1st and 99th percentiles when those lie further out.
 */
export function iqrFences(values: ArrayLike<number>, factor: number): Fences | undefined {
  if (values.length === 0) return undefined;
  const sorted = sortedCopy(values);
  const p25 = percentileR7(sorted, 25);
  const p75 = percentileR7(sorted, 75);
  const iqr = p75 - p25;
  return {
    lower: Math.min(percentileR7(sorted, 1), p25 - factor * iqr),
    upper: Math.max(percentileR7(sorted, 99), p75 + factor * iqr),
  };
}

export function removeOutliers(values: number[], factor: number): { kept: number[]; removed: number } {
  const fences = iqrFences(values, factor);
  if (!fences) return { kept: values, removed: 0 };
  const kept = values.filter((v) => !(v > fences.upper || v < fences.lower));
  return { kept, removed: values.length - kept.length };
}
