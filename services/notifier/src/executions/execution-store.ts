import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';
import { qualified } from '../store/schema.js';
import { type ExecutionSnapshot } from './execution-snapshot.js';

/** Execution snapshots in schema `notifier`, read under a row lock so that events of one execution merge in turn. */
export class ExecutionStore {
  private readonly table: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    this.table = qualified(schema, 'executions');
  }

  /** Locks the execution's row (creating it) for the caller's transaction and returns its snapshot. */
  async lock(
    manager: EntityManager,
    executionId: string,
    application: string,
  ): Promise<ExecutionSnapshot | undefined> {
    // One statement: the upsert takes the row lock whether it inserts or finds the row.
    const rows = await manager.query<Array<{ snapshot: ExecutionSnapshot | null }>>(
      `insert into ${this.table} (execution_id, application, snapshot) values ($1, $2, 'null'::jsonb)
       on conflict (execution_id) do update set execution_id = excluded.execution_id
       returning snapshot`,
      [executionId, application],
    );
    return rows[0]?.snapshot ?? undefined;
  }

  async save(manager: EntityManager, snapshot: ExecutionSnapshot): Promise<void> {
    await manager.query(
      `update ${this.table} set snapshot = $2::jsonb, application = $3, updated_at = now() where execution_id = $1`,
      [snapshot.executionId, JSON.stringify(snapshot), snapshot.application],
    );
  }

  async get(executionId: string, manager?: EntityManager): Promise<ExecutionSnapshot | undefined> {
    const rows = await (manager ?? this.db.dataSource).query<Array<{ snapshot: ExecutionSnapshot | null }>>(
      `select snapshot from ${this.table} where execution_id = $1`,
      [executionId],
    );
    return rows[0]?.snapshot ?? undefined;
  }
}
