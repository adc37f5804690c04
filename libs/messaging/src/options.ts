import { ContractRegistry, SUBJECT_ROOT } from '@aviary/events';
import { createLogger } from '@aviary/observability';
import { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { BusMetrics } from './metrics.js';

export interface BusOptions {
  /** `builder`, `orchestrator`...: names durable consumers and queue groups; envelope source `/aviary/<service>`. */
  service: string;
  /** NATS URL(s); JetStream must be enabled on the server. */
  servers: string | string[];
  /** Default `aviary`. Tests use a unique root so their subjects never reach another run's streams. */
  subjectRoot?: string;
  /** Default `AVIARY`: streams `<prefix>_CMD` (work queue), `<prefix>_EVT` (limits), `<prefix>_DLQ`. */
  streamPrefix?: string;
  /** Deliveries before a failing message is terminated and dead-lettered. Default 5. */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failed delivery (the last value repeats). */
  backoffMs?: number[];
  /** How long the server waits for an ack before redelivering; long handlers keep extending it. */
  ackWaitMs?: number;
  /** Window in which a repeated envelope id (`Nats-Msg-Id`) is dropped by the stream. */
  duplicateWindowMs?: number;
  registry?: ContractRegistry;
  /** The service's prom-client registry. */
  metrics?: Registry;
  logger?: Logger;
  /** Handlers running at once per consumer (per handler pattern) in this process. Default 16. */
  concurrency?: number;
  /** Default timeout of `client.query`. */
  queryTimeoutMs?: number;
  /** How long a publish waits for the connection and for the stream's acknowledgement. */
  publishTimeoutMs?: number;
  /** How long `close()` waits for in-flight handlers before closing anyway. */
  shutdownTimeoutMs?: number;
  /** How long events and dead letters are kept in their streams. Default 7 days. */
  retentionMs?: number;
  /** How long objects (logs, reports, packaged builds) are kept in the object store. Default 30 days. */
  objectRetentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const Token = /^[a-z0-9][a-z0-9-]*$/;

const OptionsSchema = z.object({
  service: z.string().regex(Token, 'lowercase letters, digits and dashes'),
  subjectRoot: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'one subject token')
    .default(SUBJECT_ROOT),
  streamPrefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, dashes and underscores')
    .default('AVIARY'),
  maxDeliver: z.int().min(1).default(5),
  backoffMs: z.array(z.int().min(0)).min(1).default([250, 1000, 5000, 15_000]),
  ackWaitMs: z.int().min(100).default(30_000),
  duplicateWindowMs: z.int().min(100).default(120_000),
  concurrency: z.int().min(1).default(16),
  queryTimeoutMs: z.int().min(1).default(5000),
  publishTimeoutMs: z.int().min(1).default(5000),
  shutdownTimeoutMs: z.int().min(0).default(10_000),
  retentionMs: z
    .int()
    .min(1000)
    .default(7 * DAY_MS),
  objectRetentionMs: z
    .int()
    .min(1000)
    .default(30 * DAY_MS),
});

export interface StreamNames {
  command: string;
  event: string;
  deadLetter: string;
}

/** The options with defaults applied and the derived names; what transports work from. */
export interface BusSettings extends z.infer<typeof OptionsSchema> {
  servers: string[];
  source: string;
  streams: StreamNames;
  registry: ContractRegistry;
  metrics: BusMetrics;
  logger: Logger;
}

export function resolveOptions(
  options: Omit<BusOptions, 'servers'> & { servers?: string | string[] },
): BusSettings {
  const parsed = OptionsSchema.parse(options);
  const servers = options.servers === undefined ? [] : [options.servers].flat();
  return {
    ...parsed,
    servers,
    source: `/aviary/${parsed.service}`,
    streams: streamNames(parsed.streamPrefix),
    registry: options.registry ?? new ContractRegistry(),
    metrics: new BusMetrics(options.metrics ?? new Registry()),
    logger: (options.logger ?? createLogger({ service: parsed.service })).child({ component: 'bus' }),
  };
}

export function streamNames(prefix: string): StreamNames {
  return { command: `${prefix}_CMD`, event: `${prefix}_EVT`, deadLetter: `${prefix}_DLQ` };
}

/** Redelivery delay after the `deliveries`-th failed attempt: grows, then stays at the last step. */
export function backoffDelay(backoffMs: readonly number[], deliveries: number): number {
  return backoffMs[Math.min(Math.max(deliveries, 1), backoffMs.length) - 1] ?? 0;
}
