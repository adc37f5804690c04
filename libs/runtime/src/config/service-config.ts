import { z } from 'zod';

export const SERVICE_NAMES = [
  'gateway',
  'orchestrator',
  'builder',
  'quality',
  'deployer',
  'canary',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 8080,
  orchestrator: 8081,
  builder: 8082,
  quality: 8083,
  deployer: 8084,
  canary: 8085,
  notifier: 8086,
};

const Port = z.coerce.number().int().min(0).max(65_535);
const Identifier = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-", starting with a letter');

/**
 * Every setting a service reads from its environment, in one place. The README's configuration table
 * lists the same variables; `loadServiceConfig` rejects a bad value naming the variable.
 */
export const ServiceEnvironment = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/aviary'),
  AVIARY_HOST: z.string().min(1).default('127.0.0.1'),
  PORT: Port.optional(),
  AVIARY_SUBJECT_ROOT: Identifier.default('aviary'),
  AVIARY_STREAM_PREFIX: Identifier.default('AVIARY'),
  AVIARY_SCHEMA_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]*$/, 'lowercase letters, digits and "_"')
    .default(''),
  AVIARY_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  AVIARY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(25_000),
  AVIARY_ACK_WAIT_MS: z.coerce.number().int().min(100).default(30_000),
  AVIARY_OUTBOX_CLAIM_TTL_MS: z.coerce.number().int().min(100).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export interface ServiceConfig {
  service: ServiceName;
  host: string;
  port: number;
  natsUrl: string;
  databaseUrl: string;
  /** PostgreSQL schema the service owns. */
  schema: string;
  subjectRoot: string;
  streamPrefix: string;
  maxDeliver: number;
  shutdownTimeoutMs: number;
  /** How long NATS waits for an ack before redelivering (to another replica, after a crash). */
  ackWaitMs: number;
  /** How long a crashed replica's outbox claim holds the other relays off its rows. */
  outboxClaimTtlMs: number;
  logLevel: string;
  logPretty: boolean;
}

/** The process's environment; the only place outside tests that reads it. */
export function processEnvironment(): Record<string, string | undefined> {
  return process.env;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadServiceConfig(
  service: ServiceName,
  env: Record<string, string | undefined> = process.env,
  isTerminal = Boolean(process.stdout.isTTY),
): ServiceConfig {
  const portVariable = `${service.toUpperCase()}_PORT`;
  const parsed = ServiceEnvironment.safeParse(env);
  const port = Port.optional().safeParse(env[portVariable]);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    ...(port.error?.issues ?? []).map((issue) => `${portVariable}: ${issue.message}`),
  ];
  if (!parsed.success || !port.success) {
    throw new ConfigError(`invalid configuration for ${service}: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const servicePort = port.data;
  return {
    service,
    host: e.AVIARY_HOST,
    port: servicePort ?? e.PORT ?? DEFAULT_PORTS[service],
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    schema: `${e.AVIARY_SCHEMA_PREFIX}${service}`,
    subjectRoot: e.AVIARY_SUBJECT_ROOT,
    streamPrefix: e.AVIARY_STREAM_PREFIX,
    maxDeliver: e.AVIARY_MAX_DELIVER,
    shutdownTimeoutMs: e.AVIARY_SHUTDOWN_TIMEOUT_MS,
    ackWaitMs: e.AVIARY_ACK_WAIT_MS,
    outboxClaimTtlMs: e.AVIARY_OUTBOX_CLAIM_TTL_MS,
    logLevel: e.LOG_LEVEL,
    logPretty: (e.LOG_FORMAT ?? (isTerminal ? 'pretty' : 'json')) === 'pretty',
  };
}
