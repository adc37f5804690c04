import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateExecutions1790000100000 implements MigrationInterface {
  readonly name = 'CreateExecutions1790000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table executions (
        id text primary key,
        application text not null,
        concurrency_group text not null,
        branch text,
        sha text not null,
        trigger jsonb not null,
        trigger_key text not null unique,
        pipeline jsonb,
        pipeline_name text,
        status text not null,
        reason text,
        version integer not null default 0,
        resolve_attempts integer not null default 0,
        created_at timestamptz not null,
        started_at timestamptz,
        ended_at timestamptz,
        updated_at timestamptz not null,
        watchdog_at timestamptz
      )`);
    await queryRunner.query(`create index executions_newest on executions (created_at, id)`);
    await queryRunner.query(
      `create index executions_by_application on executions (application, created_at, id)`,
    );
    await queryRunner.query(
      `create index executions_waiting_or_running on executions (concurrency_group, created_at)
       where status in ('NOT_STARTED', 'RUNNING', 'PAUSED')`,
    );
    await queryRunner.query(
      `create index executions_watchdog on executions (watchdog_at) where watchdog_at is not null`,
    );
    await queryRunner.query(`
      create table stages (
        execution_id text not null references executions (id) on delete cascade,
        stage_id text not null,
        position integer not null,
        type text not null,
        status text not null,
        attempt integer not null default 0,
        retries_used integer not null default 0,
        waiting_for text,
        cause text,
        reason text,
        outputs jsonb not null default '{}',
        started_at timestamptz,
        ended_at timestamptz,
        due_at timestamptz,
        primary key (execution_id, stage_id)
      )`);
    await queryRunner.query(`
      create table stage_attempts (
        execution_id text not null,
        stage_id text not null,
        attempt integer not null,
        status text not null,
        settings jsonb,
        dispatched_by text not null,
        dispatched_at timestamptz not null,
        deadline timestamptz,
        worker text,
        started_at timestamptz,
        ended_at timestamptz,
        error text,
        outputs jsonb not null default '{}',
        primary key (execution_id, stage_id, attempt),
        foreign key (execution_id, stage_id) references stages (execution_id, stage_id) on delete cascade
      )`);
    await queryRunner.query(`
      create table execution_history (
        id bigint generated always as identity primary key,
        execution_id text not null references executions (id) on delete cascade,
        version integer not null,
        at timestamptz not null,
        actor text not null,
        action text not null,
        stage_id text,
        from_status text,
        to_status text,
        detail text,
        replica text not null
      )`);
    await queryRunner.query(
      `create index execution_history_by_execution on execution_history (execution_id, id)`,
    );
    await queryRunner.query(`
      create table timers (
        id bigint generated always as identity primary key,
        execution_id text not null references executions (id) on delete cascade,
        kind text not null,
        stage_id text,
        attempt integer,
        concurrency_group text,
        due_at timestamptz not null
      )`);
    await queryRunner.query(`create index timers_due on timers (due_at)`);
    await queryRunner.query(`create index timers_by_execution on timers (execution_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table timers`);
    await queryRunner.query(`drop table execution_history`);
    await queryRunner.query(`drop table stage_attempts`);
    await queryRunner.query(`drop table stages`);
    await queryRunner.query(`drop table executions`);
  }
}

export const orchestratorMigrations = [CreateExecutions1790000100000];
