import { z } from 'zod';

const Millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const CanaryEnvironment = z.object({
  /** Prometheus the analyses query (`/api/v1/query_range`); without it they scrape the instances. */
  CANARY_PROMETHEUS_URL: z.url().optional(),
  /** A folder of canary configs, `<name>.json` (Kayenta JSON), read before the repository's. */
  CANARY_CONFIG_DIR: z.string().min(1).optional(),
  /** How long a replica's claim on a running analysis lasts without a heartbeat (then another resumes it). */
  CANARY_LEASE_MS: Millis(30_000),
  /** Wait after an interval ends before querying it, so the last scrape is in. */
  CANARY_SETTLE_MS: z.coerce.number().int().min(0).default(1_000),
  /** Timeout of one Prometheus request and of one scrape. */
  CANARY_HTTP_TIMEOUT_MS: Millis(10_000),
  /** Retries of a Prometheus request answered 429 or 5xx (or not answered), with exponential backoff. */
  CANARY_PROMETHEUS_RETRIES: z.coerce.number().int().min(0).default(4),
});

export interface CanaryServiceConfig {
  prometheusUrl?: string;
  configDir?: string;
  leaseMs: number;
  settleMs: number;
  httpTimeoutMs: number;
  prometheusRetries: number;
}

export function loadCanaryConfig(env: Record<string, string | undefined>): CanaryServiceConfig {
  const parsed = CanaryEnvironment.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid configuration for canary: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const e = parsed.data;
  return {
    ...(e.CANARY_PROMETHEUS_URL ? { prometheusUrl: e.CANARY_PROMETHEUS_URL.replace(/\/$/, '') } : {}),
    ...(e.CANARY_CONFIG_DIR ? { configDir: e.CANARY_CONFIG_DIR } : {}),
    leaseMs: e.CANARY_LEASE_MS,
    settleMs: e.CANARY_SETTLE_MS,
    httpTimeoutMs: e.CANARY_HTTP_TIMEOUT_MS,
    prometheusRetries: e.CANARY_PROMETHEUS_RETRIES,
  };
}
