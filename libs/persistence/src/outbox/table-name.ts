import { type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { quoteIdentifier } from '../migrate.js';

/** The schema-qualified name of an entity's table, for the few statements TypeORM cannot build. */
export function tableName(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): string {
  const metadata = manager.connection.getMetadata(entity);
  const table = quoteIdentifier(metadata.tableName);
  return metadata.schema ? `${quoteIdentifier(metadata.schema)}.${table}` : table;
}

export function requireTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`${what} must run inside the caller's transaction (Database.transaction)`);
  }
}
