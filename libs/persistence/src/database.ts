import { setTimeout as sleep } from 'node:timers/promises';
import { type Pool, type QueryConfig } from 'pg';
import { type Logger } from 'pino';
import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import { type PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { Backoff } from './backoff.js';
import { runMigrations } from './migrate.js';
import { persistenceEntities } from './outbox/outbox.migrations.js';
import { type PGliteHost } from './pglite/pglite-host.js';
import { typeOrmLogger } from './typeorm-logger.js';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; host: PGliteHost };

export interface DatabaseOptions {
  target: DatabaseTarget;
  /** The service's own schema ('orchestrator'...); tests use unique ones. */
  schema: string;
  // TypeORM takes entity and migration classes as plain constructors.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: (Function | EntitySchema)[];
  /** Migration classes, run in timestamp order at start; `synchronize` is never used. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  logger?: Logger;
  /** First wait after a failed connection attempt; it doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Connections in the pool; 10 on PostgreSQL, 4 on PGlite (which runs one statement at a time). */
  poolSize?: number;
  /** Bound on opening a connection or waiting for a free one. */
  connectTimeoutMs?: number;
  /** Bound on the `select 1` of a health check. */
  healthTimeoutMs?: number;
}

export interface DatabaseHealth {
  ready: boolean;
  detail: string;
}

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

type Phase = 'idle' | 'connecting' | 'migrating' | 'ready' | 'closed';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A service's database: its own schema, its migrations, its pool. `start()` returns at once and
 * keeps trying in the background, so a service whose database is down still starts, reports
 * not-ready on /health, and becomes ready when the database answers, without a restart.
 */
export class Database {
  readonly schema: string;
  private phase: Phase = 'idle';
  private lastError: Error | undefined;
  private source: DataSource | undefined;
  private connecting: Promise<void> | undefined;
  private readonly stopRetrying = new AbortController();
  private readonly readiness: Promise<void>;
  private markReady: () => void = () => undefined;
  private markClosed: (error: Error) => void = () => undefined;

  constructor(private readonly options: DatabaseOptions) {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new Error(`invalid schema name "${options.schema}": use lower-case letters, digits and _`);
    }
    this.schema = options.schema;
    this.readiness = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.markClosed = reject;
    });
    // ready() may never be awaited (a service that only polls health()); the rejection on close is expected.
    this.readiness.catch(() => undefined);
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'connecting';
    this.connecting = this.connectUntilReady();
  }

  /** Resolves once connected and migrated; rejects after `timeoutMs`, saying why it is not ready. */
  async ready(timeoutMs?: number): Promise<void> {
    if (this.phase === 'idle') throw new Error('Database.start() has not been called');
    if (timeoutMs === undefined) return this.readiness;
    const timeout = new AbortController();
    try {
      await Promise.race([
        this.readiness,
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new DatabaseUnavailableError(
            `${this.describe()} is not ready after ${timeoutMs} ms: ${this.reason()}`,
          );
        }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  get dataSource(): DataSource {
    if (this.phase !== 'ready' || !this.source) {
      throw new DatabaseUnavailableError(`${this.describe()} is not ready (${this.reason()})`);
    }
    return this.source;
  }

  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** A real round trip on the service's pool, so it reflects the server now, not at start. */
  async health(): Promise<DatabaseHealth> {
    if (this.phase !== 'ready' || !this.source)
      return { ready: false, detail: `${this.phase}: ${this.reason()}` };
    const timeoutMs = this.options.healthTimeoutMs ?? 2_000;
    const pool = (this.source.driver as PostgresDriver).master as Pool;
    const timeout = new AbortController();
    try {
      await Promise.race([
        // A timed-out query makes pg discard that connection rather than return it to the pool.
        // query_timeout is a per-query option of pg that @types/pg does not list.
        pool.query({ text: 'select 1', query_timeout: timeoutMs } as QueryConfig),
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`no answer within ${timeoutMs} ms`);
        }),
      ]);
      return { ready: true, detail: 'ok' };
    } catch (error) {
      return { ready: false, detail: `select 1 failed: ${(error as Error).message}` };
    } finally {
      timeout.abort();
    }
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopRetrying.abort();
    this.markClosed(new DatabaseUnavailableError(`${this.describe()} was closed`));
    await this.connecting;
    if (this.source?.isInitialized) await this.source.destroy();
  }

  private async connectUntilReady(): Promise<void> {
    const backoff = new Backoff(this.options.retryDelayMs ?? 500, this.options.maxRetryDelayMs ?? 10_000);
    const logger = this.options.logger;
    for (let attempt = 1; !this.isClosed(); attempt++) {
      const source = this.createDataSource();
      try {
        await source.initialize();
        if (!this.isClosed()) {
          this.phase = 'migrating';
          const applied = await runMigrations(source, this.schema, logger);
          if (!this.isClosed()) {
            this.source = source;
            this.phase = 'ready';
            this.lastError = undefined;
            logger?.info({ schema: this.schema, attempt, migrations: applied }, 'database ready');
            this.markReady();
            return;
          }
        }
        await source.destroy();
      } catch (error) {
        this.lastError = error as Error;
        if (source.isInitialized) await source.destroy().catch(() => undefined);
        if (this.isClosed()) return;
        this.phase = 'connecting';
        const delayMs = backoff.next();
        logger?.warn({ schema: this.schema, attempt, delayMs, err: error }, 'database not ready; retrying');
        await sleep(delayMs, undefined, { signal: this.stopRetrying.signal }).catch(() => undefined);
      }
    }
  }

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private createDataSource(): DataSource {
    const { target, schema, logger } = this.options;
    const connection =
      target.kind === 'postgres'
        ? { url: target.url, poolSize: this.options.poolSize ?? 10 }
        : {
            host: target.host.connection.host,
            port: target.host.connection.port,
            username: target.host.connection.user,
            database: target.host.connection.database,
            poolSize: this.options.poolSize ?? 4,
          };
    const options: PostgresDataSourceOptions = {
      type: 'postgres',
      ...connection,
      schema,
      applicationName: `aviary-${schema}`,
      // The outbox and inbox entities are always there, so enqueue() and handleOnce() work in every service.
      entities: [...new Set([...this.options.entities, ...persistenceEntities])],
      migrations: [...new Set(this.options.migrations)],
      migrationsRun: false,
      synchronize: false,
      installExtensions: false,
      connectTimeoutMS: this.options.connectTimeoutMs ?? 5_000,
      extra: { keepAlive: true },
      ...(logger ? { logger: typeOrmLogger(logger) } : { logging: false }),
    };
    return new DataSource(options);
  }

  private describe(): string {
    return `database (schema "${this.schema}")`;
  }

  private reason(): string {
    if (this.phase === 'closed') return 'closed';
    if (this.phase === 'idle') return 'start() has not been called';
    return this.lastError ? this.lastError.message : `${this.phase}, no attempt has finished yet`;
  }
}
