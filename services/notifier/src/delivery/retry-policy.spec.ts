import { describe, expect, it } from '@jest/globals';
import { httpOutcome, nextDelayMs, parseRetryAfter } from './retry-policy.js';

const policy = { maxAttempts: 4, retryBaseMs: 1000, retryMaxMs: 5000 };

describe('the retry policy', () => {
  it('backs off exponentially with jitter between half and all of the step, up to the maximum', () => {
    const retryable = { ok: false, retryable: true };
    expect(nextDelayMs(policy, 1, retryable, () => 0)).toBe(500);
    expect(nextDelayMs(policy, 1, retryable, () => 1)).toBe(1000);
    expect(nextDelayMs(policy, 2, retryable, () => 1)).toBe(2000);
    expect(nextDelayMs(policy, 3, retryable, () => 1)).toBe(4000);
    expect(nextDelayMs({ ...policy, maxAttempts: 10 }, 6, retryable, () => 1)).toBe(5000);
  });

  it('gives up after the limit and at once on a refusal', () => {
    expect(nextDelayMs(policy, 4, { ok: false, retryable: true })).toBeUndefined();
    expect(nextDelayMs(policy, 1, { ok: false, retryable: false })).toBeUndefined();
  });

  it("never retries sooner than the peer's Retry-After", () => {
    const outcome = httpOutcome(429, { 'retry-after': '7' }, 'slow down');
    expect(outcome).toMatchObject({ retryable: true, statusCode: 429, retryAfterMs: 7000 });
    for (const random of [0, 0.5, 1])
      expect(nextDelayMs(policy, 1, outcome, () => random)).toBeGreaterThanOrEqual(7000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries 408, 429 and 5xx, and takes other 4xx as final', () => {
    expect(httpOutcome(204, {}, '').ok).toBe(true);
    for (const status of [408, 429, 500, 502, 503]) expect(httpOutcome(status, {}, '').retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 410]) expect(httpOutcome(status, {}, '').retryable).toBe(false);
  });
});
