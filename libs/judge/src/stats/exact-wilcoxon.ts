/**
 * The exact null distribution of the Mann-Whitney U statistic for sample sizes m and n without ties:
 * the coefficients of the Gaussian binomial [m+n choose m]_q, counted exactly with BigInt, then
 * turned into cumulative probabilities. Cached per (m, n); used up to 50 points a side.
 */
const cache = new Map<string, Float64Array>();

function cumulative(m: number, n: number): Float64Array {
  const key = `${Math.min(m, n)}x${Math.max(m, n)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const size = small * large + 1;
  // [large + i choose i]_q for i = 0..small: multiply by (1 - q^(large+i)), divide by (1 - q^i).
  let counts: bigint[] = new Array<bigint>(size).fill(0n);
  counts[0] = 1n;
  for (let i = 1; i <= small; i++) {
    const next = counts.slice();
    const shift = large + i;
    for (let k = size - 1; k >= shift; k--) next[k] = next[k]! - counts[k - shift]!;
    for (let k = i; k < size; k++) next[k] = next[k]! + next[k - i]!;
    counts = next;
  }
  let total = 0n;
  for (const c of counts) total += c;
  const cdf = new Float64Array(size);
  let running = 0n;
  const scale = 10n ** 30n;
  for (let k = 0; k < size; k++) {
    running += counts[k]!;
    cdf[k] = Number((running * scale) / total) / 1e30;
  }
  cache.set(key, cdf);
  return cdf;
}

/** P(U ≤ u). */
export function exactCdf(u: number, m: number, n: number): number {
  if (u < 0) return 0;
  const cdf = cumulative(m, n);
  return u >= cdf.length - 1 ? 1 : cdf[Math.floor(u)]!;
}

/** P(U ≥ u). */
export function exactSf(u: number, m: number, n: number): number {
  return 1 - exactCdf(Math.ceil(u) - 1, m, n);
}

/** The smallest q with P(U ≤ q) ≥ p (R's qwilcox). */
export function exactQuantile(p: number, m: number, n: number): number {
  const cdf = cumulative(m, n);
  const target = p - 10 * Number.EPSILON;
  for (let q = 0; q < cdf.length; q++) if (cdf[q]! >= target) return q;
  return cdf.length - 1;
}
