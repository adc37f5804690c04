import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateNotifierTables1790000900000 implements MigrationInterface {
  readonly name = 'CreateNotifierTables1790000900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What the notifier knows of each execution, merged from its events in whatever order they come.
    await queryRunner.query(`
      create table executions (
        execution_id text primary key,
        application text not null,
        snapshot jsonb not null,
        updated_at timestamptz not null default now()
      )`);
    // Settings set through the API; the pipeline file's travel with each execution.
    await queryRunner.query(`
      create table settings (
        application text primary key,
        settings jsonb not null,
        updated_by text not null,
        updated_at timestamptz not null default now()
      )`);
    // One row per (event, channel): the delivery log, and the key that makes delivery exactly-once.
    await queryRunner.query(`
      create table deliveries (
        id uuid primary key default uuid_generate_v4(),
        event_id text not null,
        event_type text not null,
        target text not null,
        mode text not null,
        notification text not null,
        application text not null,
        execution_id text,
        stage_run_id text,
        payload jsonb not null,
        status text not null default 'pending',
        attempts int not null default 0,
        next_attempt_at timestamptz not null default now(),
        lease_until timestamptz,
        last_error text,
        created_at timestamptz not null default clock_timestamp(),
        delivered_at timestamptz,
        unique (event_id, target)
      )`);
    await queryRunner.query(
      `create index deliveries_due on deliveries (next_attempt_at) where status = 'pending'`,
    );
    await queryRunner.query(
      `create index deliveries_sending on deliveries (lease_until) where status = 'sending'`,
    );
    await queryRunner.query(`create index deliveries_by_execution on deliveries (execution_id, target)`);
    await queryRunner.query(`create index deliveries_by_stage_run on deliveries (stage_run_id)`);
    await queryRunner.query(
      `create index deliveries_newest on deliveries (application, created_at desc, id)`,
    );
    await queryRunner.query(`
      create table delivery_attempts (
        delivery_id uuid not null references deliveries (id) on delete cascade,
        attempt int not null,
        at timestamptz not null,
        duration_ms int not null,
        outcome text not null,
        status_code int,
        error text,
        retry_after_ms int,
        primary key (delivery_id, attempt)
      )`);
    // The Slack message of an execution in a channel, updated in place; the lease serialises updates.
    await queryRunner.query(`
      create table slack_messages (
        execution_id text not null,
        target text not null,
        channel_id text,
        ts text,
        lease_until timestamptz,
        primary key (execution_id, target)
      )`);
    // A notify stage attempt waiting for its deliveries before it reports.
    await queryRunner.query(`
      create table stage_runs (
        id text primary key,
        execution_id text not null,
        stage_id text not null,
        attempt int not null,
        status text not null,
        fail_on_error boolean not null,
        wait_until timestamptz not null,
        causation_id text not null,
        created_at timestamptz not null default now()
      )`);
    await queryRunner.query(
      `create index stage_runs_waiting on stage_runs (status) where status = 'waiting'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'stage_runs',
      'slack_messages',
      'delivery_attempts',
      'deliveries',
      'settings',
      'executions',
    ])
      await queryRunner.query(`drop table ${table}`);
  }
}

export const notifierMigrations = [CreateNotifierTables1790000900000];
