import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Unqualified names: migrations run with search_path set to the service's schema.

export class CreateReleases1790000500000 implements MigrationInterface {
  readonly name = 'CreateReleases1790000500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table releases (
        id text primary key,
        application text not null,
        environment text not null,
        state text not null,
        release jsonb not null,
        lease_until timestamptz,
        cancel_reason text,
        retire_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    await queryRunner.query(
      `create index releases_by_application on releases (application, environment, created_at)`,
    );
    await queryRunner.query(
      `create index releases_retiring on releases (retire_at) where retire_at is not null`,
    );
    await queryRunner.query(`
      create table release_operations (
        id text primary key,
        release_id text not null,
        action text not null,
        status text not null,
        created_at timestamptz not null
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table release_operations`);
    await queryRunner.query(`drop table releases`);
  }
}

export const deployerMigrations = [CreateReleases1790000500000];
