import { z } from 'zod';

const Millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** The orchestrator's own settings, beside what every service reads. */
export const OrchestratorEnvironment = z.object({
  /** How often each replica looks for due timers that no local wake-up covers (another replica's). */
  ORCHESTRATOR_TIMER_POLL_MS: Millis(500),
  /** How long a replica holds a timer whose work happens outside a transaction (reading the pipeline). */
  ORCHESTRATOR_TIMER_LEASE_MS: Millis(30_000),
  ORCHESTRATOR_WATCHDOG_INTERVAL_MS: Millis(10_000),
  /** How far past its latest deadline an execution may go before the watchdog stops it. */
  ORCHESTRATOR_WATCHDOG_GRACE_MS: Millis(60_000),
  /** How long the builder has to answer the read of .aviary/pipeline.yaml. */
  ORCHESTRATOR_FILE_QUERY_TIMEOUT_MS: Millis(10_000),
  /** First wait before reading the pipeline again when the builder did not answer; it doubles. */
  ORCHESTRATOR_RESOLVE_RETRY_MS: Millis(2_000),
  /** Reads of the pipeline before the execution ends TERMINAL. */
  ORCHESTRATOR_RESOLVE_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  /** Transactions at once; keep it below the pool size (10) so the relay and queries get connections. */
  ORCHESTRATOR_MAX_TRANSACTIONS: z.coerce.number().int().min(1).default(6),
});

export interface OrchestratorConfig {
  timerPollMs: number;
  timerLeaseMs: number;
  watchdogIntervalMs: number;
  watchdogGraceMs: number;
  fileQueryTimeoutMs: number;
  resolveRetryMs: number;
  resolveAttempts: number;
  maxTransactions: number;
}

export function loadOrchestratorConfig(env: Record<string, string | undefined>): OrchestratorConfig {
  const parsed = OrchestratorEnvironment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration for orchestrator: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    timerPollMs: e.ORCHESTRATOR_TIMER_POLL_MS,
    timerLeaseMs: e.ORCHESTRATOR_TIMER_LEASE_MS,
    watchdogIntervalMs: e.ORCHESTRATOR_WATCHDOG_INTERVAL_MS,
    watchdogGraceMs: e.ORCHESTRATOR_WATCHDOG_GRACE_MS,
    fileQueryTimeoutMs: e.ORCHESTRATOR_FILE_QUERY_TIMEOUT_MS,
    resolveRetryMs: e.ORCHESTRATOR_RESOLVE_RETRY_MS,
    resolveAttempts: e.ORCHESTRATOR_RESOLVE_ATTEMPTS,
    maxTransactions: e.ORCHESTRATOR_MAX_TRANSACTIONS,
  };
}
