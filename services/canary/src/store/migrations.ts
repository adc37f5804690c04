import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateAnalyses1790000600000 implements MigrationInterface {
  readonly name = 'CreateAnalyses1790000600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table analyses (
        id text primary key,
        execution_id text not null,
        stage_id text not null,
        attempt int not null,
        application text not null,
        status text not null,
        spec jsonb not null,
        config jsonb not null,
        score double precision,
        summary text,
        causation_id text not null,
        lease_until timestamptz,
        started_at timestamptz not null,
        completed_at timestamptz
      )`);
    await queryRunner.query(`create index analyses_running on analyses (status, lease_until)`);
    await queryRunner.query(`
      create table analysis_intervals (
        analysis_id text not null references analyses (id) on delete cascade,
        index int not null,
        report jsonb not null,
        pairs jsonb not null,
        score double precision not null,
        judged_at timestamptz not null,
        primary key (analysis_id, index)
      )`);
    await queryRunner.query(`
      create table scrapes (
        id bigserial primary key,
        analysis_id text not null,
        side text not null,
        target text not null,
        scraped_at timestamptz not null,
        samples jsonb not null
      )`);
    await queryRunner.query(`create index scrapes_by_time on scrapes (analysis_id, side, scraped_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table scrapes`);
    await queryRunner.query(`drop table analysis_intervals`);
    await queryRunner.query(`drop table analyses`);
  }
}

export const canaryMigrations = [CreateAnalyses1790000600000];
