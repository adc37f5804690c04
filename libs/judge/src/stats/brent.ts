/**
 * Brent's root finder as R's `R_zeroin2` (uniroot) does it, which Kayenta ports: the bracket
 * [ax, bx] with f(ax) = fa and f(bx) = fb of opposite signs. Kayenta fixes `tolerance` at 1e-4
 * absolute; the Aviary judge passes one relative to the data (see docs/judge.md).
 */
export interface BrentOptions {
  tolerance: number;
  maxIterations?: number;
}

const EPSILON = 2.220446049250313e-16;
const isZero = (v: number) => Math.abs(v) <= Number.MIN_VALUE;

export function brentSolve(
  ax: number,
  bx: number,
  fa0: number,
  fb0: number,
  f: (x: number) => number,
  options: BrentOptions,
): number {
  let a = ax;
  let b = bx;
  let fa = fa0;
  let fb = fb0;
  let c = a;
  let fc = fa;
  if (isZero(fa)) return a;
  if (isZero(fb)) return b;
  let iterations = (options.maxIterations ?? 1000) + 1;
  while (iterations-- > 0) {
    const previous = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * EPSILON * Math.abs(b) + options.tolerance / 2;
    let step = (c - b) / 2;
    if (Math.abs(step) <= tol || fb === 0) return b;
    if (Math.abs(previous) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qa = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tol * q) / 2 && p < Math.abs((previous * q) / 2)) step = p / q;
    }
    if (Math.abs(step) < tol) step = step > 0 ? tol : -tol;
    a = b;
    fa = fb;
    b += step;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}
