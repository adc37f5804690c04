import { type Trigger } from '@aviary/events';
import { type ResolvedPipeline } from '@aviary/pipeline-spec';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// Column types are explicit everywhere: tools that read the entities have no decorator metadata.

@Entity({ name: 'executions' })
@Index('executions_newest', ['createdAt', 'id'])
@Index('executions_by_application', ['application', 'createdAt', 'id'])
@Index('executions_waiting_or_running', ['concurrencyGroup', 'createdAt'], {
  where: `status in ('NOT_STARTED', 'RUNNING', 'PAUSED')`,
})
@Index('executions_watchdog', ['watchdogAt'], { where: 'watchdog_at is not null' })
export class ExecutionRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  application!: string;

  /** `<application>:<ref>`: executions that queue behind (or cancel) each other. */
  @Column({ name: 'concurrency_group', type: 'text' })
  concurrencyGroup!: string;

  @Column({ type: 'text', nullable: true })
  branch!: string | null;

  @Column({ type: 'text' })
  sha!: string;

  @Column({ type: 'jsonb' })
  trigger!: Trigger;

  /** What made it (`webhook:<delivery>`, `manual:<id>`): one execution per trigger. */
  @Column({ name: 'trigger_key', type: 'text', unique: true })
  triggerKey!: string;

  /** The resolved pipeline it runs, as read at its commit; null until read. */
  @Column({ type: 'jsonb', nullable: true })
  pipeline!: ResolvedPipeline | null;

  @Column({ name: 'pipeline_name', type: 'text', nullable: true })
  pipelineName!: string | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Incremented by every change: two replicas can never both write the same step. */
  @Column({ type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'resolve_attempts', type: 'integer', default: 0 })
  resolveAttempts!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** When the watchdog looks at it if nothing has happened by then. */
  @Column({ name: 'watchdog_at', type: 'timestamptz', nullable: true })
  watchdogAt!: Date | null;
}

@Entity({ name: 'stages' })
export class StageRow {
  @PrimaryColumn({ name: 'execution_id', type: 'text' })
  executionId!: string;

  @PrimaryColumn({ name: 'stage_id', type: 'text' })
  stageId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  @Column({ name: 'retries_used', type: 'integer', default: 0 })
  retriesUsed!: number;

  @Column({ name: 'waiting_for', type: 'text', nullable: true })
  waitingFor!: string | null;

  @Column({ type: 'text', nullable: true })
  cause!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  outputs!: Record<string, unknown>;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;
}

@Entity({ name: 'stage_attempts' })
export class StageAttemptRow {
  @PrimaryColumn({ name: 'execution_id', type: 'text' })
  executionId!: string;

  @PrimaryColumn({ name: 'stage_id', type: 'text' })
  stageId!: string;

  @PrimaryColumn({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text' })
  status!: string;

  /** The settings as sent, templates resolved. */
  @Column({ type: 'jsonb', nullable: true })
  settings!: Record<string, unknown> | null;

  /** The orchestrator replica that dispatched it. */
  @Column({ name: 'dispatched_by', type: 'text' })
  dispatchedBy!: string;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  @Column({ type: 'text', nullable: true })
  worker!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  outputs!: Record<string, unknown>;
}

/** Who did what to an execution, and every status change, in order. */
@Entity({ name: 'execution_history' })
@Index('execution_history_by_execution', ['executionId', 'id'])
export class HistoryRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  /** The execution's version this entry was written with. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'stage_id', type: 'text', nullable: true })
  stageId!: string | null;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'text', nullable: true })
  toStatus!: string | null;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  /** The orchestrator replica that wrote it. */
  @Column({ type: 'text' })
  replica!: string;
}

/** Durable timers: stage timeouts, retries, waits, judgment expiry, pipeline timeout, queue hand-over. */
@Entity({ name: 'timers' })
@Index('timers_due', ['dueAt'])
@Index('timers_by_execution', ['executionId'])
export class TimerRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'stage_id', type: 'text', nullable: true })
  stageId!: string | null;

  @Column({ type: 'integer', nullable: true })
  attempt!: number | null;

  /** For `group-next`: the branch whose queue moves on. */
  @Column({ name: 'concurrency_group', type: 'text', nullable: true })
  concurrencyGroup!: string | null;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;
}

export const orchestratorEntities = [ExecutionRow, StageRow, StageAttemptRow, HistoryRow, TimerRow];
