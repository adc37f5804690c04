import { type MetricParams } from '../config/metric-params.js';
import { removeOutliers } from '../stats/outliers.js';

export interface Prepared {
  values: number[];
  nanRemoved: number;
  outliersRemoved: number;
}

/** Kayenta's transformMetric on one side: NaN handling (±∞ untouched), then outliers. */
export function prepareSide(raw: readonly number[], params: MetricParams): Prepared {
  const nans = raw.filter(Number.isNaN).length;
  const values =
    params.nanStrategy === 'replace'
      ? raw.map((v) => (Number.isNaN(v) ? 0 : v))
      : raw.filter((v) => !Number.isNaN(v));
  if (params.outliers.strategy !== 'remove')
    return { values, nanRemoved: params.nanStrategy === 'remove' ? nans : 0, outliersRemoved: 0 };
  const { kept, removed } = removeOutliers(values, params.outliers.factor);
  return { values: kept, nanRemoved: params.nanStrategy === 'remove' ? nans : 0, outliersRemoved: removed };
}

/** A ratio metric's side: points whose numerator or denominator is NaN are dropped (or zeroed). */
export function prepareCounts(
  numerator: readonly number[],
  denominator: readonly number[],
  params: MetricParams,
): { numerator: number[]; denominator: number[]; nanRemoved: number } {
  const length = Math.max(numerator.length, denominator.length);
  const num: number[] = [];
  const den: number[] = [];
  let nanRemoved = 0;
  for (let i = 0; i < length; i++) {
    let n = numerator[i] ?? Number.NaN;
    let d = denominator[i] ?? Number.NaN;
    if (Number.isNaN(n) || Number.isNaN(d)) {
      if (params.nanStrategy === 'remove') {
        nanRemoved++;
        continue;
      }
      if (Number.isNaN(n)) n = 0;
      if (Number.isNaN(d)) d = 0;
    }
    num.push(n);
    den.push(d);
  }
  return { numerator: num, denominator: den, nanRemoved };
}
