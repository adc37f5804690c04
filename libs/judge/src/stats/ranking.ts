/**
 * Ranks with ties averaged and NaN ranked as +∞ (ties with it), as commons-math's
 * NaturalRanking(MAXIMAL, AVERAGE) does.
 */
export interface RankSummary {
  /** Sum of the ranks of the first `firstCount` values. */
  firstRankSum: number;
  /** Σ (t³ - t) over the groups of equal values. */
  tieTerm: number;
}

const recodeNaN = (v: number) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);

/** The general case: any values (NaN, infinities), by sorting indices. */
export function rankSummary(values: ArrayLike<number>, firstCount: number): RankSummary {
  const n = values.length;
  const keys = Float64Array.from(values, recodeNaN);
  // Compared, not subtracted: ∞ - ∞ is NaN.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0,
  );
  let firstRankSum = 0;
  let tieTerm = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && keys[order[end]!] === keys[order[start]!]) end++;
    const t = end - start;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (order[k]! < firstCount) firstRankSum += rank;
    if (t > 1) tieTerm += t * t * t - t;
    start = end;
  }
  return { firstRankSum, tieTerm };
}

/**
 * The fast case: `a` and `b` each sorted ascending and finite. Merges them in O(n) instead of sorting;
 * equal values (exact double equality) form tie groups exactly as a sort would.
 */
export function mergedRankSummary(a: Float64Array, b: Float64Array): RankSummary {
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  let before = 0;
  let firstRankSum = 0;
  let tieTerm = 0;
  while (i < na || j < nb) {
    const v = j >= nb || (i < na && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let ca = 0;
    let cb = 0;
    while (i < na && a[i] === v) {
      ca++;
      i++;
    }
    while (j < nb && b[j] === v) {
      cb++;
      j++;
    }
    const t = ca + cb;
    firstRankSum += ca * (before + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    before += t;
  }
  return { firstRankSum, tieTerm };
}
