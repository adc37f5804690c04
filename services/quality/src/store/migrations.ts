import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateAnalyses1790000700000 implements MigrationInterface {
  readonly name = 'CreateAnalyses1790000700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table analyses (
        id text primary key,
        execution_id text not null,
        stage_id text not null,
        attempt int not null,
        application text not null,
        branch text,
        sha text not null,
        mode text not null,
        provider text not null,
        gate_name text not null,
        status text not null,
        measures jsonb not null,
        result jsonb not null,
        sources jsonb not null,
        previous_id text,
        evaluated_at timestamptz not null
      )`);
    await queryRunner.query(`create index analyses_history on analyses (application, branch, evaluated_at)`);
    await queryRunner.query(`create index analyses_stage on analyses (execution_id, stage_id, attempt)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table analyses`);
  }
}

export class AnalysesGateSettings1790000700001 implements MigrationInterface {
  readonly name = 'AnalysesGateSettings1790000700001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`alter table analyses add column gate_settings jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`alter table analyses drop column gate_settings`);
  }
}

export const qualityMigrations = [CreateAnalyses1790000700000, AnalysesGateSettings1790000700001];
