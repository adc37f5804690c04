import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateStageRuns1790000600000 implements MigrationInterface {
  readonly name = 'CreateStageRuns1790000600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table stage_runs (
        execution_id text not null,
        stage_id text not null,
        attempt integer not null,
        stage_type text not null,
        status text not null,
        owner text,
        heartbeat_at timestamptz,
        cancel_reason text,
        log_lines integer not null default 0,
        log_complete boolean not null default false,
        started_at timestamptz not null,
        ended_at timestamptz,
        primary key (execution_id, stage_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table stage_runs');
  }
}

export const builderMigrations = [CreateStageRuns1790000600000];
