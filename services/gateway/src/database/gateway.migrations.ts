import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Table names are unqualified: migrations run with search_path set to the gateway's schema.

export class GatewayTables1790000100000 implements MigrationInterface {
  readonly name = 'GatewayTables1790000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table applications (
        id uuid primary key,
        name text not null unique,
        provider text not null check (provider in ('github', 'gitlab', 'bitbucket', 'generic')),
        repository_url text not null,
        repository_key text not null,
        default_branch text not null,
        build_tags boolean not null default false,
        webhook_secret_sealed text not null,
        created_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    await queryRunner.query(`create index applications_repository_key on applications (repository_key)`);
    await queryRunner.query(`
      create table api_tokens (
        id uuid primary key,
        name text not null unique,
        role text not null check (role in ('viewer', 'deployer', 'admin')),
        lookup text not null,
        token_hash bytea not null,
        created_by text not null,
        created_at timestamptz not null,
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`create index api_tokens_lookup on api_tokens (lookup)`);
    await queryRunner.query(`
      create table audit_records (
        id bigint generated always as identity primary key,
        at timestamptz not null,
        actor text not null,
        role text,
        via text not null,
        action text not null,
        target text,
        status integer not null,
        outcome text not null,
        source_address text not null,
        user_agent text
      )`);
    await queryRunner.query(`create index audit_records_at on audit_records (at desc)`);
    await queryRunner.query(`
      create table webhook_deliveries (
        provider text not null,
        delivery_id text not null,
        received_at timestamptz not null,
        applications jsonb not null,
        source_address text not null,
        primary key (provider, delivery_id)
      )`);
    await queryRunner.query(
      `create index webhook_deliveries_received_at on webhook_deliveries (received_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_deliveries', 'audit_records', 'api_tokens', 'applications'])
      await queryRunner.query(`drop table ${table}`);
  }
}

export const gatewayMigrations = [GatewayTables1790000100000];
