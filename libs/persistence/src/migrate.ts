import { type Logger } from 'pino';
import { type DataSource, MigrationExecutor } from 'typeorm';

/** First key of every advisory lock Aviary takes ('avia'), so they cannot collide with another app's. */
export const ADVISORY_LOCK_CLASS = 0x61766961;
const EXTENSION_LOCK = 0;

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Extensions are database-wide, so services migrating different schemas at once would race on
 * CREATE EXTENSION; they take one lock for it. Where the extension exists already (created by a DBA,
 * or by the PGlite host) nothing is attempted, so the service's role needs no extra privilege.
 */
async function ensureUuidExtension(dataSource: DataSource, logger: Logger | undefined): Promise<void> {
  const present = await dataSource.query<{ present: boolean }[]>(
    `select exists (select 1 from pg_extension where extname = 'uuid-ossp') as present`,
  );
  if (present[0]?.present) return;
  try {
    await dataSource.transaction(async (manager) => {
      await manager.query('select pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, EXTENSION_LOCK]);
      await manager.query('create extension if not exists "uuid-ossp"');
    });
  } catch (error) {
    logger?.warn(
      { err: error },
      'could not create the uuid-ossp extension; migrations using uuid_generate_v4() will fail',
    );
  }
}

/**
 * Creates the schema and runs the pending migrations in one transaction that holds an advisory lock
 * keyed by the schema: replicas starting together run each migration once, the others wait and then
 * find nothing pending. `search_path` is the service's schema for the duration, so a migration may
 * name its tables without the schema (extension functions stay reachable through `public`).
 */
export async function runMigrations(
  dataSource: DataSource,
  schema: string,
  logger?: Logger,
): Promise<string[]> {
  await ensureUuidExtension(dataSource, logger);
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.startTransaction();
    await queryRunner.query('select pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_LOCK_CLASS, schema]);
    await queryRunner.query(`create schema if not exists ${quoteIdentifier(schema)}`);
    await queryRunner.query(`set local search_path to ${quoteIdentifier(schema)}, public`);
    const applied = await new MigrationExecutor(dataSource, queryRunner).executePendingMigrations();
    await queryRunner.commitTransaction();
    return applied.map((migration) => migration.name);
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}
