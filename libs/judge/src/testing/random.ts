/** A seeded generator for test and benchmark data (mulberry32), so every run sees the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal draws (Box-Muller) from a seeded generator. */
export function normals(random: () => number, n: number, mean: number, sd: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(mean + sd * r * Math.cos(2 * Math.PI * v));
    if (out.length < n) out.push(mean + sd * r * Math.sin(2 * Math.PI * v));
  }
  return out;
}

/** Latency-like data: log-normal around `median`, rounded to `decimals` (rounding makes ties). */
export function latencies(random: () => number, n: number, median: number, decimals = 6): number[] {
  const factor = 10 ** decimals;
  return normals(random, n, Math.log(median), 0.25).map((v) => Math.round(Math.exp(v) * factor) / factor);
}
