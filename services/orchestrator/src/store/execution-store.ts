import { type Envelope, type Trigger } from '@aviary/events';
import { outboxInsert } from '@aviary/persistence';
import { type ResolvedPipeline, type StageStatus } from '@aviary/pipeline-spec';
import { createHash } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { Changes, type AttemptChange, type TimerKind, type TimerSpec } from '../engine/changes.js';
import { watchdogDeadline } from '../engine/execution-run.js';
import {
  newStageState,
  type ExecutionState,
  type StageState,
  type WaitingFor,
} from '../engine/execution-state.js';
import { type ExecutionStatus } from '../status/status-machine.js';

/** An execution loaded under its row lock, with what the write-back needs. */
export interface LockedExecution {
  state: ExecutionState;
  version: number;
  concurrencyGroup: string;
  resolveAttempts: number;
}

export interface NewExecution {
  id: string;
  application: string;
  trigger: Trigger;
  triggerKey: string;
  concurrencyGroup: string;
  createdAt: Date;
}

export interface DueTimer {
  id: string;
  executionId: string;
  kind: TimerKind;
  stageId: string | null;
  attempt: number | null;
  concurrencyGroup: string | null;
  dueAt: Date;
}

/** A message written to the outbox by a step, for the relay to publish once the step commits. */
export interface Enqueued {
  subject: string;
  envelope: Envelope;
}

export interface WriteContext {
  now: Date;
  /** The envelope being handled: the cause of every message written. */
  causationid?: string;
  watchdogGraceMs: number;
}

interface StageJson {
  stage_id: string;
  status: StageStatus;
  attempt: number;
  retries_used: number;
  waiting_for: WaitingFor | null;
  cause: 'rollback' | 'halted' | null;
  reason: string | null;
  outputs: Record<string, unknown>;
  started_at: string | null;
  ended_at: string | null;
  due_at: string | null;
}

interface ExecutionJson {
  id: string;
  application: string;
  concurrency_group: string;
  trigger: Trigger;
  pipeline: ResolvedPipeline | null;
  status: ExecutionStatus;
  reason: string | null;
  version: number;
  resolve_attempts: number;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  stage_rows: StageJson[];
}

const date = (value: string | Date | null): Date | null => (value === null ? null : new Date(value));

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs a statement of the hot path as a named prepared statement on the transaction's connection:
 * PostgreSQL parses and plans it once per connection instead of at every transition.
 */
async function prepared<T>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error(`${name} must run inside a transaction`);
  const client = (await runner.connect()) as PgClient;
  const result = await client.query({ name, text, values });
  return result.rows as T[];
}
const GROUP_LOCK_CLASS = 0x6f726368; // 'orch'
const ENVELOPE_SOURCE = '/aviary/orchestrator';

/**
 * The orchestrator's tables, read and written in the caller's transaction. Writes of a step are few
 * statements whatever its size (rows go in as one JSON array each), because they sit on the path of
 * every stage transition.
 */
export class ExecutionStore {
  private readonly executions: string;
  private readonly stages: string;
  private readonly attempts: string;
  private readonly history: string;
  private readonly timers: string;
  private readonly schemaDigest: string;

  constructor(
    schema: string,
    private readonly replica: string,
  ) {
    const table = (name: string) => `"${schema}"."${name}"`;
    this.schemaDigest = createHash('sha256').update(schema).digest('hex').slice(0, 16);
    this.executions = table('executions');
    this.stages = table('stages');
    this.attempts = table('stage_attempts');
    this.history = table('execution_history');
    this.timers = table('timers');
  }

  /** Creates the execution unless one exists for the same trigger (or id); true if created. */
  async create(manager: EntityManager, execution: NewExecution): Promise<boolean> {
    const { id, application, trigger, triggerKey, concurrencyGroup, createdAt } = execution;
    const rows = await manager.query<unknown[]>(
      `insert into ${this.executions}
         (id, application, concurrency_group, branch, sha, trigger, trigger_key, status, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'NOT_STARTED', $8, $8)
       on conflict do nothing returning id`,
      [
        id,
        application,
        concurrencyGroup,
        trigger.branch ?? null,
        trigger.sha,
        trigger,
        triggerKey,
        createdAt,
      ],
    );
    if (rows.length === 0) return false;
    await this.addTimers(manager, id, [{ kind: 'resolve-pipeline', dueAt: createdAt }]);
    await this.insertHistory(manager, id, 0, [
      {
        at: createdAt,
        actor: trigger.actor ?? 'aviary',
        action: 'created',
        detail: `${trigger.kind} ${trigger.ref} at ${trigger.sha}`,
      },
    ]);
    return true;
  }

  /** Loads an execution and locks its row until the transaction ends; undefined if there is none. */
  async lock(manager: EntityManager, id: string): Promise<LockedExecution | undefined> {
    const [row] = await prepared<ExecutionJson & { seen_version: number }>(
      manager,
      this.statement('lock'),
      `select e.id, e.application, e.concurrency_group, e.trigger, e.pipeline, e.status, e.reason, e.version,
              e.resolve_attempts, e.created_at, e.started_at, e.ended_at,
              (select v.version from ${this.executions} v where v.id = $1) as seen_version,
              ${this.stagesJson('e.id')} as stage_rows
       from ${this.executions} e where e.id = $1 for update of e`,
      [id],
    );
    if (!row) return undefined;
    if (row.seen_version !== row.version) {
      // The lock was waited for while another transaction changed the execution: the locked row is
      // the new one, but the rest of the statement read the tables as they were when it began.
      const [fresh] = await manager.query<{ stage_rows: StageJson[] }[]>(
        `select ${this.stagesJson('$1')} as stage_rows`,
        [id],
      );
      row.stage_rows = fresh?.stage_rows ?? [];
    }
    const byId = new Map(row.stage_rows.map((stage) => [stage.stage_id, stage]));
    const stages = new Map<string, StageState>();
    for (const definition of row.pipeline?.stages ?? []) {
      const stored = byId.get(definition.id);
      const stage = newStageState(definition);
      if (stored) {
        stage.status = stored.status;
        stage.attempt = stored.attempt;
        stage.retriesUsed = stored.retries_used;
        stage.waitingFor = stored.waiting_for;
        stage.cause = stored.cause;
        stage.reason = stored.reason;
        stage.outputs = stored.outputs;
        stage.startedAt = date(stored.started_at);
        stage.endedAt = date(stored.ended_at);
        stage.dueAt = date(stored.due_at);
      }
      stages.set(definition.id, stage);
    }
    return {
      state: {
        id: row.id,
        application: row.application,
        trigger: row.trigger,
        pipeline: row.pipeline,
        status: row.status,
        reason: row.reason,
        createdAt: row.created_at,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        stages,
      },
      version: row.version,
      concurrencyGroup: row.concurrency_group,
      resolveAttempts: row.resolve_attempts,
    };
  }

  /** Statement names are per connection; the schema is in the text, so a digest of it is in the name. */
  private statement(name: string): string {
    return `orchestrator-${name}-${this.schemaDigest}`;
  }

  private stagesJson(executionId: string): string {
    return `coalesce((select json_agg(s order by s.position) from ${this.stages} s where s.execution_id = ${executionId}), '[]'::json)`;
  }

  /** Stores the pipeline read for a locked execution and its stages, NOT_STARTED. */
  async setPipeline(
    manager: EntityManager,
    locked: LockedExecution,
    pipeline: ResolvedPipeline,
  ): Promise<LockedExecution> {
    const id = locked.state.id;
    await manager.query(`update ${this.executions} set pipeline = $2, pipeline_name = $3 where id = $1`, [
      id,
      pipeline,
      pipeline.name,
    ]);
    await manager.query(
      `insert into ${this.stages} (execution_id, stage_id, position, type, status)
       select $1, v.stage_id, v.position, v.type, 'NOT_STARTED'
       from jsonb_to_recordset($2::jsonb) as v(stage_id text, position int, type text)`,
      [
        id,
        JSON.stringify(
          pipeline.stages.map((stage, position) => ({ stage_id: stage.id, position, type: stage.type })),
        ),
      ],
    );
    return {
      ...locked,
      state: {
        ...locked.state,
        pipeline,
        stages: new Map(pipeline.stages.map((definition) => [definition.id, newStageState(definition)])),
      },
    };
  }

  async recordResolveFailure(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `update ${this.executions} set resolve_attempts = resolve_attempts + 1 where id = $1`,
      [id],
    );
  }

  /** Forgets an execution that its pipeline's triggers do not start. */
  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`delete from ${this.executions} where id = $1`, [id]);
  }

  /**
   * Writes what one step of the engine decided in two statements: one for the execution (its version
   * checked and bumped), the stages and attempts it changed, history and timers; one for the messages
   * (through the outbox), which it returns.
   */
  async apply(
    manager: EntityManager,
    locked: LockedExecution,
    changes: Changes,
    context: WriteContext,
  ): Promise<Enqueued[]> {
    const { state } = locked;
    const { now } = context;
    const watchdogAt = changes.watchdogAt ?? watchdogDeadline(state, context.watchdogGraceMs, now);
    const { created, updated } = this.attemptRows(changes.attempts);
    const timers = changes.timersToAdd.map((timer) => timerRow(timer, null));
    if (changes.groupNext) timers.push(timerRow({ kind: 'group-next', dueAt: now }, locked.concurrencyGroup));
    const meta = {
      source: ENVELOPE_SOURCE,
      correlationid: state.id,
      ...(context.causationid === undefined ? {} : { causationid: context.causationid }),
      time: now,
    };
    // The messages go in with the state, in the same statement.
    const outbox = outboxInsert(
      manager,
      changes.messages.map((outgoing) => ({
        contract: outgoing.contract,
        data: outgoing.data as never,
        meta: outgoing.id === undefined ? meta : { ...meta, id: outgoing.id },
      })),
      18,
    );
    const envelopes = outbox.envelopes;
    const attemptColumns = `stage_id text, attempt int, status text, settings jsonb, dispatched_at timestamptz,
      deadline timestamptz, worker text, started_at timestamptz, ended_at timestamptz, error text, outputs jsonb`;
    const [result] = await prepared<{ updated: number }>(
      manager,
      this.statement('apply'),
      `with execution as (
         update ${this.executions}
         set status = $3, reason = $4, started_at = $5, ended_at = $6, updated_at = $7, watchdog_at = $8,
             version = version + 1
         where id = $1 and version = $2 returning 1
       ), stage_rows as (
         update ${this.stages} s
         set status = v.status, attempt = v.attempt, retries_used = v.retries_used, waiting_for = v.waiting_for,
             cause = v.cause, reason = v.reason, outputs = v.outputs, started_at = v.started_at,
             ended_at = v.ended_at, due_at = v.due_at
         from jsonb_to_recordset($9::jsonb) as v(stage_id text, status text, attempt int, retries_used int,
           waiting_for text, cause text, reason text, outputs jsonb, started_at timestamptz, ended_at timestamptz,
           due_at timestamptz)
         where s.execution_id = $1 and s.stage_id = v.stage_id returning 1
       ), new_attempts as (
         insert into ${this.attempts} (execution_id, stage_id, attempt, status, settings, dispatched_by,
           dispatched_at, deadline, worker, started_at, ended_at, error, outputs)
         select $1, v.stage_id, v.attempt, v.status, v.settings, $16, v.dispatched_at, v.deadline, v.worker,
                v.started_at, v.ended_at, v.error, coalesce(v.outputs, '{}')
         from jsonb_to_recordset($10::jsonb) as v(${attemptColumns}) returning 1
       ), changed_attempts as (
         update ${this.attempts} a
         set status = coalesce(v.status, a.status), worker = coalesce(v.worker, a.worker),
             started_at = coalesce(v.started_at, a.started_at), ended_at = coalesce(v.ended_at, a.ended_at),
             error = coalesce(v.error, a.error), outputs = coalesce(v.outputs, a.outputs)
         from jsonb_to_recordset($11::jsonb) as v(${attemptColumns})
         where a.execution_id = $1 and a.stage_id = v.stage_id and a.attempt = v.attempt returning 1
       ), history as (
         insert into ${this.history} (execution_id, version, at, actor, action, stage_id, from_status, to_status,
           detail, replica)
         select $1, $2 + 1, v.at, v.actor, v.action, v.stage_id, v.from_status, v.to_status, v.detail, $16
         from jsonb_to_recordset($12::jsonb) as v(at timestamptz, actor text, action text, stage_id text,
           from_status text, to_status text, detail text) returning 1
       ), cleared_timers as (
         delete from ${this.timers}
         where execution_id = $1 and kind <> 'group-next'
           and ($13::boolean or (stage_id = any($14::text[]) and kind = any($15::text[]))) returning 1
       ), added_timers as (
         insert into ${this.timers} (execution_id, kind, stage_id, attempt, concurrency_group, due_at)
         select $1, v.kind, v.stage_id, v.attempt, v.concurrency_group, v.due_at
         from jsonb_to_recordset($17::jsonb) as v(kind text, stage_id text, attempt int, concurrency_group text,
           due_at timestamptz) returning 1
       ), outbox as (
         ${outbox.sql}
         returning 1
       )
       select (select count(*) from execution)::int as updated`,
      [
        state.id,
        locked.version,
        state.status,
        state.reason,
        state.startedAt,
        state.endedAt,
        now,
        watchdogAt,
        JSON.stringify([...changes.stages].map((id) => stageRow(state.stages.get(id)!))),
        JSON.stringify(created),
        JSON.stringify(updated),
        JSON.stringify(changes.history.map(historyRow)),
        changes.clearAllTimers,
        [...changes.timersToClear],
        Changes.STAGE_TIMERS,
        this.replica,
        JSON.stringify(timers),
        ...outbox.parameters,
      ],
    );
    if (result?.updated !== 1) throw new ConcurrentChange(state.id, locked.version);
    return envelopes.map((envelope, i) => ({ subject: changes.messages[i]!.contract.subject, envelope }));
  }

  // --- concurrency groups ----------------------------------------------------------------------

  /** Serialises every decision about who runs on one branch; taken before any execution row lock. */
  async lockGroup(manager: EntityManager, group: string): Promise<void> {
    await manager.query('select pg_advisory_xact_lock($1, hashtext($2))', [GROUP_LOCK_CLASS, group]);
  }

  /** Executions of the group that wait (pipeline read) or run, oldest first, except `except`. */
  async activeInGroup(
    manager: EntityManager,
    group: string,
    except: string,
  ): Promise<{ id: string; status: ExecutionStatus }[]> {
    return manager.query(
      `select id, status from ${this.executions}
       where concurrency_group = $1 and status in ('NOT_STARTED', 'RUNNING', 'PAUSED') and id <> $2
         and (status <> 'NOT_STARTED' or pipeline is not null)
       order by created_at, id`,
      [group, except],
    );
  }

  // --- timers ----------------------------------------------------------------------------------

  async dueTimers(manager: EntityManager, limit: number): Promise<DueTimer[]> {
    const rows = await manager.query<
      {
        id: string;
        execution_id: string;
        kind: TimerKind;
        stage_id: string | null;
        attempt: number | null;
        concurrency_group: string | null;
        due_at: Date;
      }[]
    >(
      `select id, execution_id, kind, stage_id, attempt, concurrency_group, due_at from ${this.timers}
       where due_at <= now() order by due_at limit $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      executionId: row.execution_id,
      kind: row.kind,
      stageId: row.stage_id,
      attempt: row.attempt,
      concurrencyGroup: row.concurrency_group,
      dueAt: row.due_at,
    }));
  }

  /** The execution's timers that are due now (for the watchdog to fire before it judges). */
  async dueTimersOf(manager: EntityManager, executionId: string): Promise<DueTimer[]> {
    const rows = await manager.query<
      {
        id: string;
        kind: TimerKind;
        stage_id: string | null;
        attempt: number | null;
        concurrency_group: string | null;
        due_at: Date;
      }[]
    >(
      `select id, kind, stage_id, attempt, concurrency_group, due_at from ${this.timers}
       where execution_id = $1 and due_at <= now() and kind <> 'group-next' order by due_at`,
      [executionId],
    );
    return rows.map((row) => ({
      id: String(row.id),
      executionId,
      kind: row.kind,
      stageId: row.stage_id,
      attempt: row.attempt,
      concurrencyGroup: row.concurrency_group,
      dueAt: row.due_at,
    }));
  }

  /** When the execution's own timers are due (not the hand-over of its queue). */
  async pendingTimers(manager: EntityManager, executionId: string): Promise<Date[]> {
    const rows = await manager.query<{ due_at: Date }[]>(
      `select due_at from ${this.timers} where execution_id = $1 and kind <> 'group-next'`,
      [executionId],
    );
    return rows.map((row) => row.due_at);
  }

  async nextDue(manager: EntityManager): Promise<Date | undefined> {
    const [row] = await manager.query<{ due: Date | null }[]>(
      `select min(due_at) as due from ${this.timers}`,
    );
    return row?.due ?? undefined;
  }

  /** Removes a timer in the caller's transaction; false when another replica already took it. */
  async takeTimer(manager: EntityManager, id: string): Promise<boolean> {
    // UPDATE and DELETE answer [rows, count].
    const [, count] = await manager.query<[unknown[], number]>(`delete from ${this.timers} where id = $1`, [
      id,
    ]);
    return count === 1;
  }

  /** Holds a due timer for `leaseMs` (outside a transaction, before slow work); false if taken. */
  async leaseTimer(manager: EntityManager, id: string, leaseMs: number): Promise<boolean> {
    const [, count] = await manager.query<[unknown[], number]>(
      `update ${this.timers} set due_at = now() + make_interval(secs => $2) where id = $1 and due_at <= now()`,
      [id, leaseMs / 1_000],
    );
    return count === 1;
  }

  async addTimers(
    manager: EntityManager,
    executionId: string,
    timers: TimerSpec[],
    group?: string,
  ): Promise<void> {
    if (timers.length === 0) return;
    await manager.query(
      `insert into ${this.timers} (execution_id, kind, stage_id, attempt, concurrency_group, due_at)
       select $1, v.kind, v.stage_id, v.attempt, $3, v.due_at
       from jsonb_to_recordset($2::jsonb) as v(kind text, stage_id text, attempt int, due_at timestamptz)`,
      [
        executionId,
        JSON.stringify(
          timers.map((timer) => ({
            kind: timer.kind,
            stage_id: timer.stageId ?? null,
            attempt: timer.attempt ?? null,
            due_at: timer.dueAt.toISOString(),
          })),
        ),
        group ?? null,
      ],
    );
  }

  // --- watchdog --------------------------------------------------------------------------------

  async overdue(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `select id from ${this.executions}
       where watchdog_at <= now() and status in ('RUNNING', 'PAUSED') order by watchdog_at limit $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Puts back what a lost timer would have done: a queue whose head waits with nothing running and
   * no hand-over pending, an execution whose pipeline is not being read.
   */
  async repairOrphans(manager: EntityManager): Promise<number> {
    const queues = await manager.query<unknown[]>(
      `insert into ${this.timers} (execution_id, kind, concurrency_group, due_at)
       select distinct on (q.concurrency_group) q.id, 'group-next', q.concurrency_group, now()
       from ${this.executions} q
       where q.status = 'NOT_STARTED' and q.pipeline is not null
         and not exists (select 1 from ${this.executions} r
                         where r.concurrency_group = q.concurrency_group and r.status in ('RUNNING', 'PAUSED'))
         and not exists (select 1 from ${this.timers} t
                         where t.kind = 'group-next' and t.concurrency_group = q.concurrency_group)
       order by q.concurrency_group, q.created_at
       returning id`,
    );
    const reads = await manager.query<unknown[]>(
      `insert into ${this.timers} (execution_id, kind, due_at)
       select e.id, 'resolve-pipeline', now() from ${this.executions} e
       where e.status = 'NOT_STARTED' and e.pipeline is null
         and not exists (select 1 from ${this.timers} t where t.execution_id = e.id and t.kind = 'resolve-pipeline')
       returning id`,
    );
    return queues.length + reads.length;
  }

  // --- writing helpers -------------------------------------------------------------------------

  /** Attempts created in this step (they have `dispatchedAt`) and attempts changed; one row each. */
  private attemptRows(changes: AttemptChange[]) {
    // Several changes to one attempt in one step (dispatched, then failed at once) become one row.
    const merged = new Map<string, AttemptChange>();
    for (const change of changes) {
      const key = `${change.stageId}#${change.attempt}`;
      merged.set(key, { ...merged.get(key), ...change });
    }
    const rows = [...merged.values()];
    return {
      created: rows.filter((change) => change.dispatchedAt !== undefined).map(attemptRow),
      updated: rows.filter((change) => change.dispatchedAt === undefined).map(attemptRow),
    };
  }

  private async insertHistory(
    manager: EntityManager,
    executionId: string,
    version: number,
    entries: Changes['history'],
  ): Promise<void> {
    await manager.query(
      `insert into ${this.history} (execution_id, version, at, actor, action, stage_id, from_status, to_status,
         detail, replica)
       select $1, $2, v.at, v.actor, v.action, v.stage_id, v.from_status, v.to_status, v.detail, $4
       from jsonb_to_recordset($3::jsonb) as v(at timestamptz, actor text, action text, stage_id text,
         from_status text, to_status text, detail text)`,
      [executionId, version, JSON.stringify(entries.map(historyRow)), this.replica],
    );
  }
}

const iso = (value: Date | null | undefined): string | null => value?.toISOString() ?? null;

function stageRow(stage: StageState) {
  return {
    stage_id: stage.id,
    status: stage.status,
    attempt: stage.attempt,
    retries_used: stage.retriesUsed,
    waiting_for: stage.waitingFor,
    cause: stage.cause,
    reason: stage.reason,
    outputs: stage.outputs,
    started_at: iso(stage.startedAt),
    ended_at: iso(stage.endedAt),
    due_at: iso(stage.dueAt),
  };
}

function attemptRow(change: AttemptChange) {
  return {
    stage_id: change.stageId,
    attempt: change.attempt,
    status: change.status ?? null,
    settings: change.settings ?? null,
    dispatched_at: iso(change.dispatchedAt),
    deadline: iso(change.deadline),
    worker: change.worker ?? null,
    started_at: iso(change.startedAt),
    ended_at: iso(change.endedAt),
    error: change.error ?? null,
    outputs: change.outputs ?? null,
  };
}

function historyRow(entry: Changes['history'][number]) {
  return {
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    stage_id: entry.stageId ?? null,
    from_status: entry.from ?? null,
    to_status: entry.to ?? null,
    detail: entry.detail ?? null,
  };
}

function timerRow(timer: TimerSpec, group: string | null) {
  return {
    kind: timer.kind,
    stage_id: timer.stageId ?? null,
    attempt: timer.attempt ?? null,
    concurrency_group: group,
    due_at: timer.dueAt.toISOString(),
  };
}

/** Another writer changed the execution since it was read: the step is retried on fresh state. */
export class ConcurrentChange extends Error {
  override readonly name = 'ConcurrentChange';

  constructor(id: string, version: number) {
    super(`execution ${id} changed after version ${version} was read`);
  }
}
