import { beforeAll, describe, expect, it } from '@jest/globals';
import { latencies, normals, seededRandom } from '../testing/random.js';
import { MANN_WHITNEY_SCRIPT, runPython, SCIPY_MISSING, scipyAvailable } from '../testing/scipy.js';
import {
  asymptoticShiftInterval,
  exactShiftInterval,
  hodgesLehmann,
  mannWhitneyTest,
  pairwiseDifferences,
} from './mann-whitney.js';

interface Case {
  label: string;
  x: number[];
  y: number[];
  exact: boolean;
  shifts: number[];
}
interface Reference {
  u: number;
  pAsymptotic: number;
  hl: number;
  pExact?: number;
  pShifted?: number[];
}

/** Generated cases: small continuous samples (exact test), larger ones with ties (rounded latencies). */
function cases(): Case[] {
  const random = seededRandom(20261108);
  const out: Case[] = [];
  for (const [nx, ny, shift] of [
    [5, 5, 0],
    [7, 9, 1],
    [12, 10, 0.5],
    [20, 20, 0],
    [30, 25, 0.8],
    [45, 50, 0.3],
  ] as const)
    out.push({
      label: `continuous ${nx}x${ny} shift ${shift}`,
      x: normals(random, nx, 10 + shift, 1),
      y: normals(random, ny, 10, 1),
      exact: true,
      shifts: [],
    });
  for (const [n, slower, decimals] of [
    [60, 1.0, 0],
    [100, 1.1, 1],
    [200, 1.4, 0],
    [1000, 1.02, 2],
  ] as const)
    out.push({
      label: `latencies ${n} points, canary x${slower}, ${decimals} decimals`,
      x: latencies(random, n, 100 * slower, decimals),
      y: latencies(random, n, 100, decimals),
      exact: false,
      shifts: [],
    });
  for (const c of out) {
    const interval = asymptoticShiftInterval(c.x, c.y, 0.98, 'relative');
    const width = Math.max(interval.upper - interval.lower, 1e-9);
    c.shifts = [interval.lower - width * 1e-3, interval.lower + width * 1e-3];
  }
  return out;
}

describe('Mann-Whitney cross-checked against scipy.stats (python3-scipy)', () => {
  const generated = cases();
  let reference: Reference[];

  beforeAll(() => {
    if (!scipyAvailable()) throw new Error(SCIPY_MISSING);
    reference = runPython<Reference[]>(MANN_WHITNEY_SCRIPT, generated);
  });

  it.each(generated.map((c, i) => [c.label, i] as const))('%s: U and the asymptotic p-value', (_, i) => {
    const c = generated[i]!;
    const ours = mannWhitneyTest(c.x, c.y);
    expect(ours.u).toBeCloseTo(reference[i]!.u, 9);
    expect(ours.pAsymptotic).toBeCloseTo(reference[i]!.pAsymptotic, 12);
    expect(Math.abs(ours.pAsymptotic - reference[i]!.pAsymptotic)).toBeLessThanOrEqual(
      1e-9 * reference[i]!.pAsymptotic + 1e-15,
    );
  });

  it.each(generated.filter((c) => c.exact).map((c) => [c.label, generated.indexOf(c)] as const))(
    '%s: the exact p-value',
    (_, i) => {
      const c = generated[i]!;
      const ours = mannWhitneyTest(c.x, c.y);
      expect(ours.pExact).toEqual(expect.any(Number));
      expect(Math.abs(ours.pExact! - reference[i]!.pExact!)).toBeLessThanOrEqual(
        1e-9 * reference[i]!.pExact! + 1e-14,
      );
    },
  );

  it.each(generated.map((c, i) => [c.label, i] as const))('%s: the Hodges-Lehmann shift', (_, i) => {
    const c = generated[i]!;
    expect(hodgesLehmann(c.x, c.y)).toBe(reference[i]!.hl);
    if (c.exact) expect(exactShiftInterval(c.x, c.y, 0.98).estimate).toBe(reference[i]!.hl);
    // Kayenta keeps the continuity correction in its estimate: within a step of the median difference.
    const diffs = pairwiseDifferences(c.x, c.y);
    const mid = diffs.length / 2;
    const { estimate, tolerance = 0 } = asymptoticShiftInterval(c.x, c.y, 0.98, 'relative');
    expect(estimate).toBeGreaterThanOrEqual(diffs[Math.max(0, Math.floor(mid) - 2)]! - tolerance);
    expect(estimate).toBeLessThanOrEqual(diffs[Math.min(diffs.length - 1, Math.ceil(mid) + 1)]! + tolerance);
  });

  it.each(generated.map((c, i) => [c.label, i] as const))(
    '%s: the 98 %% interval ends where scipy’s p-value crosses 0.02',
    (_, i) => {
      const [outside, inside] = reference[i]!.pShifted!;
      expect(outside).toBeLessThanOrEqual(0.02);
      expect(inside).toBeGreaterThanOrEqual(0.02);
    },
  );
});
