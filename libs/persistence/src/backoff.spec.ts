import { describe, expect, it } from '@jest/globals';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum, and starts over after a reset', () => {
    const backoff = new Backoff(100, 1_000, () => 0.5);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('spreads each delay by at most 20% either way', () => {
    expect(new Backoff(1_000, 1_000, () => 0).next()).toBe(800);
    expect(new Backoff(1_000, 1_000, () => 0.999_999).next()).toBe(1_200);
  });
});
