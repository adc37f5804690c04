import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';
import { qualified } from '../store/schema.js';

export interface StageRun {
  id: string;
  executionId: string;
  stageId: string;
  attempt: number;
  status: 'waiting' | 'reported' | 'cancelled';
  failOnError: boolean;
  waitUntil: Date;
  causationId: string;
}

interface Row {
  id: string;
  execution_id: string;
  stage_id: string;
  attempt: number;
  status: StageRun['status'];
  fail_on_error: boolean;
  wait_until: Date;
  causation_id: string;
}

const toRun = (r: Row): StageRun => ({
  id: r.id,
  executionId: r.execution_id,
  stageId: r.stage_id,
  attempt: r.attempt,
  status: r.status,
  failOnError: r.fail_on_error,
  waitUntil: r.wait_until,
  causationId: r.causation_id,
});

/** Notify stage attempts waiting for their deliveries before they report. */
export class StageRunStore {
  private readonly table: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    this.table = qualified(schema, 'stage_runs');
  }

  async add(manager: EntityManager, run: Omit<StageRun, 'status'>): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `insert into ${this.table} (id, execution_id, stage_id, attempt, status, fail_on_error, wait_until, causation_id)
       values ($1, $2, $3, $4, 'waiting', $5, $6, $7) on conflict do nothing returning 1`,
      [run.id, run.executionId, run.stageId, run.attempt, run.failOnError, run.waitUntil, run.causationId],
    );
    return rows.length === 1;
  }

  /** Waiting runs, locked for the caller's transaction (another replica skips them). */
  async lockWaiting(manager: EntityManager, ids?: string[]): Promise<StageRun[]> {
    const rows = await manager.query<Row[]>(
      `select * from ${this.table} where status = 'waiting' ${ids ? 'and id = any($1::text[])' : ''}
       order by created_at limit 100 for update skip locked`,
      ids ? [ids] : [],
    );
    return rows.map(toRun);
  }

  async get(manager: EntityManager, id: string): Promise<StageRun | undefined> {
    const rows = await manager.query<Row[]>(`select * from ${this.table} where id = $1 for update`, [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async setStatus(manager: EntityManager, id: string, status: StageRun['status']): Promise<void> {
    await manager.query(`update ${this.table} set status = $2 where id = $1`, [id, status]);
  }

  /** Whether a sweep has anything to look at (cheap, no lock). */
  async anyWaiting(): Promise<boolean> {
    const rows = await this.db.dataSource.query<unknown[]>(
      `select 1 from ${this.table} where status = 'waiting' limit 1`,
    );
    return rows.length > 0;
  }
}
