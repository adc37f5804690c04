import { type StageRef } from '@aviary/events';
import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export type Claim =
  | { decision: 'run' }
  /** `released`: its owner handed it back as it stopped (its step killed); else the owner died. */
  | { decision: 'resume'; previousOwner: string; released: boolean }
  /** Another replica runs it and proved it is alive lately: ask again later. */
  | { decision: 'busy'; owner: string }
  | { decision: 'skip'; reason: string };

interface RunRow {
  status: RunStatus;
  owner: string | null;
  heartbeat_at: Date | null;
  cancel_reason: string | null;
  log_lines: number;
  log_complete: boolean;
}

/**
 * Who runs which stage attempt, and how far its log is stored. A replica claims an attempt before
 * running it and proves it is alive with heartbeats; a redelivered command finds the attempt done
 * (skipped), running on a replica that is alive (busy: its command is only redelivered when that
 * replica lost it, so it soon stops being alive), or abandoned by a replica that stopped (taken over).
 */
export class StageRuns {
  constructor(private readonly db: Database) {}

  private get table(): string {
    return `"${this.db.schema}".stage_runs`;
  }

  /** `onClaimed` runs in the claiming transaction (the started event goes out with the claim or not at all). */
  claim(
    ref: StageRef,
    stageType: string,
    owner: string,
    staleMs: number,
    onClaimed: (manager: EntityManager) => Promise<unknown> = () => Promise.resolve(),
    now = new Date(),
  ): Promise<Claim> {
    return this.db.transaction(async (manager) => {
      const [row] = await manager.query<RunRow[]>(
        `select status, owner, heartbeat_at, cancel_reason, log_lines, log_complete from ${this.table}
         where execution_id = $1 and stage_id = $2 and attempt = $3 for update`,
        [ref.executionId, ref.stageId, ref.attempt],
      );
      if (!row) {
        await manager.query(
          `insert into ${this.table} (execution_id, stage_id, attempt, stage_type, status, owner, heartbeat_at, started_at)
           values ($1, $2, $3, $4, 'running', $5, $6, $6)`,
          [ref.executionId, ref.stageId, ref.attempt, stageType, owner, now],
        );
        await onClaimed(manager);
        return { decision: 'run' };
      }
      if (row.status !== 'running')
        return { decision: 'skip', reason: `the attempt already ended ${row.status}` };
      if (row.owner === owner) return { decision: 'skip', reason: 'the attempt is running here' };
      const alive = row.heartbeat_at !== null && now.getTime() - row.heartbeat_at.getTime() < staleMs;
      if (alive) return { decision: 'busy', owner: row.owner ?? 'another builder' };
      await manager.query(
        `update ${this.table} set owner = $4, heartbeat_at = $5
         where execution_id = $1 and stage_id = $2 and attempt = $3`,
        [ref.executionId, ref.stageId, ref.attempt, owner, now],
      );
      await onClaimed(manager);
      return {
        decision: 'resume',
        previousOwner: row.owner ?? 'unknown',
        released: row.heartbeat_at === null,
      };
    });
  }

  /** Records that `owner` is alive; returns the reason of a cancel another replica recorded, if any. */
  async heartbeat(ref: StageRef, owner: string, now = new Date()): Promise<string | undefined> {
    const rows = await this.db.dataSource.query<Array<{ cancel_reason: string | null }>>(
      `update ${this.table} set heartbeat_at = $5
       where execution_id = $1 and stage_id = $2 and attempt = $3 and owner = $4 returning cancel_reason`,
      [ref.executionId, ref.stageId, ref.attempt, owner, now],
    );
    return rows[0]?.cancel_reason ?? undefined;
  }

  /**
   * Records a cancel for whichever replica runs the attempt. An attempt not started yet is marked
   * cancelled, so that its command, if it comes later, does nothing.
   */
  async requestCancel(
    ref: StageRef,
    reason: string,
    now = new Date(),
  ): Promise<'recorded' | 'pre-empted' | 'ended'> {
    return this.db.transaction(async (manager) => {
      const inserted = await manager.query<unknown[]>(
        `insert into ${this.table} (execution_id, stage_id, attempt, stage_type, status, cancel_reason, log_complete, started_at, ended_at)
         values ($1, $2, $3, 'unknown', 'cancelled', $4, true, $5, $5)
         on conflict do nothing returning 1`,
        [ref.executionId, ref.stageId, ref.attempt, reason, now],
      );
      if (inserted.length === 1) return 'pre-empted';
      const updated = await manager.query<unknown[]>(
        `update ${this.table} set cancel_reason = $4
         where execution_id = $1 and stage_id = $2 and attempt = $3 and status = 'running' returning 1`,
        [ref.executionId, ref.stageId, ref.attempt, reason],
      );
      return updated.length === 1 ? 'recorded' : 'ended';
    });
  }

  /** Gives an attempt up (the builder stops): the next delivery of its command takes it over at once. */
  async release(ref: StageRef, owner: string): Promise<void> {
    await this.db.dataSource.query(
      `update ${this.table} set heartbeat_at = null
       where execution_id = $1 and stage_id = $2 and attempt = $3 and owner = $4 and status = 'running'`,
      [ref.executionId, ref.stageId, ref.attempt, owner],
    );
  }

  async storedLines(ref: StageRef, lines: number): Promise<void> {
    await this.db.dataSource.query(
      `update ${this.table} set log_lines = greatest(log_lines, $4)
       where execution_id = $1 and stage_id = $2 and attempt = $3`,
      [ref.executionId, ref.stageId, ref.attempt, lines],
    );
  }

  /** In the transaction that publishes the result: the attempt ended, its whole log is stored. */
  async finish(
    manager: EntityManager,
    ref: StageRef,
    status: RunStatus,
    lines: number,
    now = new Date(),
  ): Promise<void> {
    await manager.query(
      `update ${this.table} set status = $4, ended_at = $5, log_lines = $6, log_complete = true
       where execution_id = $1 and stage_id = $2 and attempt = $3`,
      [ref.executionId, ref.stageId, ref.attempt, status, now, lines],
    );
  }

  async latestAttempt(executionId: string, stageId: string): Promise<number | undefined> {
    const [row] = await this.db.dataSource.query<Array<{ attempt: number }>>(
      `select max(attempt) as attempt from ${this.table} where execution_id = $1 and stage_id = $2`,
      [executionId, stageId],
    );
    return row?.attempt ?? undefined;
  }

  async logState(ref: StageRef): Promise<{ lines: number; complete: boolean } | undefined> {
    const [row] = await this.db.dataSource.query<RunRow[]>(
      `select log_lines, log_complete from ${this.table} where execution_id = $1 and stage_id = $2 and attempt = $3`,
      [ref.executionId, ref.stageId, ref.attempt],
    );
    return row && { lines: row.log_lines, complete: row.log_complete };
  }
}
