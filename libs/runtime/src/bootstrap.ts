import 'reflect-metadata';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestMicroservice } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  BusExceptionFilter,
  createInProcessBus,
  createJetStreamBus,
  type Bus,
  type InProcessBroker,
} from '@aviary/messaging';
import {
  createLogger,
  createMetricsRegistry,
  ObservabilityModule,
  PinoNestLogger,
  registerSecret,
} from '@aviary/observability';
import {
  Database,
  OutboxRelay,
  persistenceEntities,
  persistenceMigrations,
  type PGliteHost,
} from '@aviary/persistence';
import { type Logger } from 'pino';
import { type Registry } from 'prom-client';
import {
  loadServiceConfig,
  processEnvironment,
  type ServiceConfig,
  type ServiceName,
} from './config/service-config.js';
import { RuntimeModule } from './runtime.module.js';

/** What a service's own parts are built from: its environment and what the runtime made for it. */
export interface ServiceContext {
  /** The environment the service was started with (its own settings beyond {@link ServiceConfig}). */
  env: Record<string, string | undefined>;
  config: ServiceConfig;
  logger: Logger;
  /** The service's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
}

/** What a service brings: its name, its feature module, and its own tables. */
export interface ServiceDefinition {
  name: ServiceName;
  /** The feature module; or give `moduleFor` to build it from the service's context. */
  module?: Type | DynamicModule;
  /** Builds the feature module from the service's context (its own settings, its metrics). */
  moduleFor?: (context: ServiceContext) => Type | DynamicModule;
  // TypeORM takes entity and migration classes as plain constructors.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  /** Options of the Fastify server (body limit, proxy trust); Fastify's defaults otherwise. */
  http?: (context: ServiceContext) => ConstructorParameters<typeof FastifyAdapter>[0];
  /** Runs once the application exists and before it listens: Fastify plugins, filters, OpenAPI. */
  configure?: (app: NestFastifyApplication, context: ServiceContext) => void | Promise<void>;
}

/** What the services of one process share in the standalone mode: the message broker and PGlite. */
export interface EmbeddedInfrastructure {
  broker: InProcessBroker;
  pglite: PGliteHost;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  config?: ServiceConfig;
  /** Standalone mode and tests supply their own bus or database; otherwise JetStream and PostgreSQL. */
  bus?: Bus;
  database?: Database;
  /**
   * The standalone mode: an in-process bus on the shared broker and the service's schema on the
   * shared PGlite, each with this service's metrics and logger (unless `bus` or `database` is given).
   */
  embedded?: EmbeddedInfrastructure;
  logger?: Logger;
  /**
   * False: the HTTP routes exist (reachable with {@link RunningService.inject}) but no port is opened;
   * the standalone mode serves only the gateway's. Default true.
   */
  listen?: boolean;
  /**
   * Whether `/metrics` has the process's default metrics (CPU, memory, event loop, GC). Several
   * services in one process measure the same process: only one of them needs them. Default true.
   */
  defaultMetrics?: boolean;
}

export interface RunningService {
  app: NestFastifyApplication;
  config: ServiceConfig;
  bus: Bus;
  database: Database;
  logger: Logger;
  /** The service's Prometheus registry (what `/metrics` serves). */
  metrics: Registry;
  /** Base URL of the service's HTTP server; empty when it does not listen (`listen: false`). */
  url: string;
  /** A GET on the service's own routes without a socket (`/health`, `/metrics`), listening or not. */
  inject(path: string): Promise<{ status: number; contentType: string | undefined; body: string }>;
  close(): Promise<void>;
}

/**
 * Starts one service: HTTP (health, metrics, its own routes) at once, then the bus and the database in
 * the background. Neither a stopped database nor a stopped NATS prevents the start: `/health` says
 * which one is missing until both answer.
 */
export async function startService(
  definition: ServiceDefinition,
  options: StartOptions = {},
): Promise<RunningService> {
  const env = options.env ?? processEnvironment();
  const config = options.config ?? loadServiceConfig(definition.name, env);
  registerSecret(new URL(config.databaseUrl).password || undefined);
  const logger =
    options.logger ??
    createLogger({ service: definition.name, level: config.logLevel, pretty: config.logPretty });
  const registry = createMetricsRegistry(definition.name, { defaultMetrics: options.defaultMetrics ?? true });
  // Before the bus and the database: a bad setting of the service's own stops it with nothing open.
  const context: ServiceContext = { env, config, logger, metrics: registry };
  const module = definition.moduleFor?.(context) ?? definition.module;
  if (!module) throw new Error(`${definition.name}: give a module or moduleFor`);
  const embedded = options.embedded;
  const bus =
    options.bus ??
    (embedded
      ? createInProcessBus(embedded.broker, {
          service: definition.name,
          subjectRoot: config.subjectRoot,
          streamPrefix: config.streamPrefix,
          maxDeliver: config.maxDeliver,
          ackWaitMs: config.ackWaitMs,
          metrics: registry,
          logger,
        })
      : undefined) ??
    createJetStreamBus({
      service: definition.name,
      servers: config.natsUrl,
      subjectRoot: config.subjectRoot,
      streamPrefix: config.streamPrefix,
      maxDeliver: config.maxDeliver,
      ackWaitMs: config.ackWaitMs,
      metrics: registry,
      logger,
    });
  const database =
    options.database ??
    new Database({
      target: embedded
        ? { kind: 'pglite', host: embedded.pglite }
        : { kind: 'postgres', url: config.databaseUrl },
      schema: config.schema,
      entities: [...persistenceEntities, ...(definition.entities ?? [])],
      migrations: [...persistenceMigrations, ...(definition.migrations ?? [])],
      logger,
    });
  database.start();
  const relay = new OutboxRelay(database, bus.client, { logger, claimTtlMs: config.outboxClaimTtlMs });

  @Module({
    imports: [
      RuntimeModule.forService({ config, bus, database, relay, logger }),
      ObservabilityModule.forRoot({
        registry,
        probes: [
          { name: 'bus', check: () => bus.health() },
          { name: 'database', check: () => database.health() },
        ],
      }),
      module,
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule,
    new FastifyAdapter(definition.http?.(context)),
    {
      logger: new PinoNestLogger(logger),
    },
  );
  // Not inheritAppConfig: the bus filter hands handler errors to the transport (nak, dead letter),
  // which must not apply to HTTP routes. Initialisation is deferred so that the filter is in place
  // before the handlers are built; the app has already run the modules' init hooks.
  const microservice = app.connectMicroservice(
    { strategy: bus.server },
    { deferInitialization: true },
  ) as NestMicroservice;
  microservice.useGlobalFilters(new BusExceptionFilter());
  microservice.setIsInitHookCalled(true);
  await definition.configure?.(app, context);
  await app.startAllMicroservices();
  let url = '';
  let port = config.port;
  if (options.listen ?? true) {
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, `${definition.name} listening`);
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    logger.info(`${definition.name} started (no HTTP port of its own)`);
  }
  relay.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    config: { ...config, port },
    bus,
    database,
    logger,
    metrics: registry,
    url,
    inject: async (path) => {
      const response = await app.inject({ method: 'GET', url: path });
      const contentType = response.headers['content-type'];
      return {
        status: response.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: response.body,
      };
    },
    close: () => (closing ??= app.close()),
  };
}

/**
 * The whole `main.ts` of a service: start, then on SIGTERM or SIGINT drain and exit 0; exit 1 if the
 * drain takes longer than the configured shutdown timeout, or if the start itself fails.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  let service: RunningService;
  try {
    service = await startService(definition);
  } catch (error) {
    process.stderr.write(
      `${definition.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  const stop = (signal: NodeJS.Signals) => {
    service.logger.info({ signal }, 'shutting down: draining in-flight messages');
    setTimeout(() => {
      service.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, service.config.shutdownTimeoutMs).unref();
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
