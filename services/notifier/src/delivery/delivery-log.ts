import { type DataOf, type DeliveryView, type ListDeliveries, type ReplyOf } from '@aviary/events';
import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';
import { type RenderedMessage } from '../channels/message.js';
import { type DeliveryMode } from '../channels/channel-target.js';
import { returned } from '../store/schema.js';
import { type SendOutcome } from './retry-policy.js';

/** What a delivery sends, fixed when its event came in. */
export type DeliveryPayload =
  | { mode: 'message'; message: RenderedMessage }
  | { mode: 'slack-sync' }
  | { mode: 'status'; stageId?: string };

export interface NewDelivery {
  eventId: string;
  eventType: string;
  target: string;
  mode: DeliveryMode;
  notification: string;
  application: string;
  executionId?: string;
  stageRunId?: string;
  payload: DeliveryPayload;
}

export interface FinishedAttempt {
  delivery: ClaimedDelivery;
  outcome: SendOutcome;
  status: 'delivered' | 'pending' | 'dead';
  startedAt: Date;
  durationMs: number;
  retryInMs: number | undefined;
}

export interface ClaimedDelivery extends NewDelivery {
  id: string;
  /** Attempts before this one. */
  attempts: number;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  target: string;
  mode: DeliveryMode;
  notification: string;
  application: string;
  execution_id: string | null;
  stage_run_id: string | null;
  payload: DeliveryPayload;
  status: DeliveryView['status'];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  duration_ms: number;
  outcome: 'delivered' | 'retry' | 'dead' | 'coalesced';
  status_code: number | null;
  error: string | null;
  retry_after_ms: number | null;
}

function claimed(row: DeliveryRow): ClaimedDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    target: row.target,
    mode: row.mode,
    notification: row.notification,
    application: row.application,
    ...(row.execution_id ? { executionId: row.execution_id } : {}),
    ...(row.stage_run_id ? { stageRunId: row.stage_run_id } : {}),
    payload: row.payload,
    attempts: row.attempts,
  };
}

/**
 * The delivery log in schema `notifier`: one row per (event, channel), so an event delivered twice by
 * the bus is sent once; each attempt recorded; claims with a lease, so a replica that dies leaves its
 * deliveries to the others.
 */
export class DeliveryLog {
  private readonly deliveries: string;
  private readonly attempts: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    const q = `"${schema.replace(/"/g, '""')}"`;
    this.deliveries = `${q}.deliveries`;
    this.attempts = `${q}.delivery_attempts`;
  }

  /** Inserts in the caller's transaction; a (event, channel) already logged is left as it is. */
  async add(manager: EntityManager, rows: NewDelivery[]): Promise<number> {
    if (rows.length === 0) return 0;
    const values: unknown[] = [];
    const tuples = rows.map((row, i) => {
      values.push(
        row.eventId,
        row.eventType,
        row.target,
        row.mode,
        row.notification,
        row.application,
        row.executionId ?? null,
        row.stageRunId ?? null,
        JSON.stringify(row.payload),
      );
      const b = i * 9;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}::jsonb)`;
    });
    const inserted = await manager.query<unknown[]>(
      `insert into ${this.deliveries}
         (event_id, event_type, target, mode, notification, application, execution_id, stage_run_id, payload)
       values ${tuples.join(', ')}
       on conflict (event_id, target) do nothing returning 1`,
      values,
    );
    return inserted.length;
  }

  /** Takes up to `limit` due deliveries, leaving out targets that have no free slot here. */
  async claim(limit: number, busyTargets: string[], leaseMs: number): Promise<ClaimedDelivery[]> {
    const result: unknown = await this.db.dataSource.query(
      `update ${this.deliveries} set status = 'sending', lease_until = now() + $3 * interval '1 millisecond'
       where id in (
         select id from ${this.deliveries}
         where status = 'pending' and next_attempt_at <= now() and not (target = any($2::text[]))
         order by next_attempt_at
         limit $1
         for update skip locked)
       returning *`,
      [limit, busyTargets, leaseMs],
    );
    return returned<DeliveryRow>(result).map(claimed);
  }

  /** Gives a claimed delivery back untried (no free slot for its target, or its Slack message is busy). */
  async release(id: string, delayMs = 0): Promise<void> {
    await this.db.dataSource.query(
      `update ${this.deliveries} set status = 'pending', lease_until = null,
         next_attempt_at = now() + $2 * interval '1 millisecond'
       where id = $1 and status = 'sending'`,
      [id, delayMs],
    );
  }

  /** Where a delivery stands after an attempt: delivered, pending (retried in `retryInMs`) or dead. */
  static statusAfter(outcome: SendOutcome, retryInMs: number | undefined): FinishedAttempt['status'] {
    return outcome.ok ? 'delivered' : retryInMs === undefined ? 'dead' : 'pending';
  }

  /**
   * Records attempts and where their deliveries stand after them, many in one statement (one commit
   * for a burst of answers rather than one each).
   */
  async finish(attempts: FinishedAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const column = <T>(pick: (a: FinishedAttempt) => T) => attempts.map(pick);
    await this.db.dataSource.query(
      `with input as (
         select * from unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::timestamptz[],
                              $7::int[], $8::text[], $9::int[], $10::int[])
           as t(id, status, attempt, retry_ms, error, started_at, duration_ms, outcome, status_code, retry_after_ms)),
       updated as (
         update ${this.deliveries} d set status = i.status, attempts = i.attempt, lease_until = null,
           next_attempt_at = case when i.status = 'pending' then now() + i.retry_ms * interval '1 millisecond'
                             else d.next_attempt_at end,
           delivered_at = case when i.status = 'delivered' then now() else d.delivered_at end,
           last_error = i.error
         from input i where d.id = i.id returning d.id)
       insert into ${this.attempts} (delivery_id, attempt, at, duration_ms, outcome, status_code, error, retry_after_ms)
       select i.id, i.attempt, i.started_at, i.duration_ms, i.outcome, i.status_code, i.error, i.retry_after_ms
       from input i join updated u on u.id = i.id
       on conflict do nothing`,
      [
        column((a) => a.delivery.id),
        column((a) => a.status),
        column((a) => a.delivery.attempts + 1),
        column((a) => a.retryInMs ?? 0),
        column((a) => (a.outcome.ok ? null : (a.outcome.error ?? 'failed'))),
        column((a) => a.startedAt),
        column((a) => Math.round(a.durationMs)),
        column((a) => (a.outcome.ok ? 'delivered' : a.status === 'dead' ? 'dead' : 'retry')),
        column((a) => a.outcome.statusCode ?? null),
        column((a) => a.outcome.retryAfterMs ?? null),
      ],
    );
  }

  /** Pending deliveries of the same execution and channel (their change is in the message about to be sent). */
  async pendingFor(executionId: string, target: string, except: string): Promise<string[]> {
    const rows = await this.db.dataSource.query<Array<{ id: string }>>(
      `select id from ${this.deliveries} where execution_id = $1 and target = $2 and status = 'pending' and id <> $3`,
      [executionId, target, except],
    );
    return rows.map((r) => r.id);
  }

  /** Marks deliveries as delivered by another one's message. */
  async coalesce(ids: string[], into: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.dataSource.query(
      `with updated as (
         update ${this.deliveries} set status = 'delivered', delivered_at = now(), attempts = attempts + 1,
           last_error = null
         where id = any($1::uuid[]) and status = 'pending' returning id, attempts)
       insert into ${this.attempts} (delivery_id, attempt, at, duration_ms, outcome, error)
       select id, attempts, now(), 0, 'coalesced', $2 from updated
       on conflict do nothing`,
      [ids, `sent with delivery ${into}`],
    );
  }

  /** Deliveries left in `sending` by a replica that died go back to the queue. */
  async recoverExpired(): Promise<number> {
    const result: unknown = await this.db.dataSource.query(
      `update ${this.deliveries} set status = 'pending', lease_until = null
       where status = 'sending' and lease_until < now() returning 1`,
    );
    return returned(result).length;
  }

  async cancelPending(manager: EntityManager, stageRunId: string): Promise<void> {
    await manager.query(
      `update ${this.deliveries} set status = 'cancelled', last_error = 'the notify stage was cancelled'
       where stage_run_id = $1 and status = 'pending'`,
      [stageRunId],
    );
  }

  /** The deliveries of a notify stage attempt, by status. */
  async ofStageRun(
    manager: EntityManager,
    stageRunId: string,
  ): Promise<Array<{ target: string; status: string; lastError: string | null }>> {
    const rows = await manager.query<Array<{ target: string; status: string; last_error: string | null }>>(
      `select target, status, last_error from ${this.deliveries} where stage_run_id = $1 order by target`,
      [stageRunId],
    );
    return rows.map((r) => ({ target: r.target, status: r.status, lastError: r.last_error }));
  }

  async list(query: DataOf<typeof ListDeliveries>): Promise<ReplyOf<typeof ListDeliveries>> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: (n: number) => string, value: unknown) => {
      values.push(value);
      where.push(clause(values.length));
    };
    if (query.application) add((n) => `application = $${n}`, query.application);
    if (query.executionId) add((n) => `execution_id = $${n}`, query.executionId);
    if (query.status) add((n) => `status = any($${n}::text[])`, query.status);
    if (query.cursor) {
      const [at, id] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('|');
      if (at && id) {
        values.push(at, id);
        where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
      }
    }
    values.push(query.limit + 1);
    const rows = await this.db.dataSource.query<DeliveryRow[]>(
      `select * from ${this.deliveries} ${where.length ? `where ${where.join(' and ')}` : ''}
       order by created_at desc, id desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, query.limit);
    const attempts = page.length
      ? await this.db.dataSource.query<AttemptRow[]>(
          `select * from ${this.attempts} where delivery_id = any($1::uuid[]) order by attempt`,
          [page.map((r) => r.id)],
        )
      : [];
    const last = page.at(-1);
    return {
      deliveries: page.map((row) => ({
        id: row.id,
        eventId: row.event_id,
        eventType: row.event_type,
        notification: row.notification,
        application: row.application,
        ...(row.execution_id ? { executionId: row.execution_id } : {}),
        channel: row.target,
        status: row.status,
        attempts: attempts
          .filter((a) => a.delivery_id === row.id)
          .map((a) => ({
            attempt: a.attempt,
            at: a.at.toISOString(),
            durationMs: a.duration_ms,
            outcome: a.outcome,
            ...(a.status_code === null ? {} : { statusCode: a.status_code }),
            ...(a.error === null ? {} : { error: a.error }),
            ...(a.retry_after_ms === null ? {} : { retryAfterMs: a.retry_after_ms }),
          })),
        createdAt: row.created_at.toISOString(),
        ...(row.delivered_at ? { deliveredAt: row.delivered_at.toISOString() } : {}),
        ...(row.status === 'pending' ? { nextAttemptAt: row.next_attempt_at.toISOString() } : {}),
        ...(row.last_error ? { lastError: row.last_error } : {}),
      })),
      ...(rows.length > query.limit && last
        ? { nextCursor: Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url') }
        : {}),
    };
  }
}
