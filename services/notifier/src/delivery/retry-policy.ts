/** What one attempt at a channel came to. */
export interface SendOutcome {
  ok: boolean;
  /** Worth trying again: 429, 5xx, a timeout or a refused connection; not a 4xx refusal. */
  retryable: boolean;
  statusCode?: number;
  retryAfterMs?: number;
  error?: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The longest Retry-After honoured; a peer asking for more is retried after this. */
const RETRY_AFTER_CEILING_MS = 60 * 60 * 1000;

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), RETRY_AFTER_CEILING_MS);
}

/**
 * When to try again after the n-th failed attempt (1-based), or undefined to give up: exponential
 * backoff with full jitter between half and all of the step, never sooner than the peer's
 * Retry-After.
 */
export function nextDelayMs(
  policy: RetryPolicy,
  attempt: number,
  outcome: SendOutcome,
  random: () => number = Math.random,
): number | undefined {
  if (!outcome.retryable || attempt >= policy.maxAttempts) return undefined;
  const step = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** (attempt - 1));
  const backoff = Math.round(step * (0.5 + 0.5 * random()));
  return outcome.retryAfterMs === undefined
    ? backoff
    : Math.max(outcome.retryAfterMs, Math.min(backoff, outcome.retryAfterMs + policy.retryBaseMs));
}

/** The outcome of an HTTP answer: 2xx delivered; 408, 425, 429 and 5xx retried; other 4xx refused. */
export function httpOutcome(
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): SendOutcome {
  if (statusCode >= 200 && statusCode < 300) return { ok: true, retryable: false, statusCode };
  const retryable = statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  return {
    ok: false,
    retryable,
    statusCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    error: `HTTP ${statusCode}${body ? `: ${body.slice(0, 300)}` : ''}`,
  };
}

/** A request that got no answer (refused, reset, timed out) is worth retrying. */
export function networkOutcome(error: unknown): SendOutcome {
  const e = error as { code?: string; message?: string };
  return { ok: false, retryable: true, error: `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}` };
}
