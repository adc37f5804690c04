/**
 * Exponential backoff with jitter, so that replicas which lost the same database or bus at the same
 * moment do not come back in lockstep.
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.current = initialMs;
  }

  /** The delay to wait now; the one after it is twice as long, up to the maximum. */
  next(): number {
    const delay = Math.min(this.current, this.maxMs);
    this.current = Math.min(this.current * 2, this.maxMs);
    return Math.round(delay * (0.8 + 0.4 * this.random()));
  }

  reset(): void {
    this.current = this.initialMs;
  }
}
