import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { InboxEntry } from './inbox-entry.entity.js';
import { OutboxEntry } from './outbox-entry.entity.js';

// Table names are unqualified: migrations run with search_path set to the service's schema.

export class OutboxMigration implements MigrationInterface {
  readonly name = 'AviaryOutbox1790000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table outbox (
        id bigint generated always as identity primary key,
        subject text not null,
        envelope_id text not null unique,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        attempts integer not null default 0,
        last_error text,
        claimed_by text,
        claimed_until timestamptz,
        sent_at timestamptz
      )`);
    await queryRunner.query(`create index outbox_unsent on outbox (id) where sent_at is null`);
    await queryRunner.query(`create index outbox_sent_at on outbox (sent_at) where sent_at is not null`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table outbox`);
  }
}

export class InboxMigration implements MigrationInterface {
  readonly name = 'AviaryInbox1790000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table inbox (
        consumer text not null,
        message_id text not null,
        handled_at timestamptz not null default now(),
        primary key (consumer, message_id)
      )`);
    await queryRunner.query(`create index inbox_handled_at on inbox (handled_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table inbox`);
  }
}

/** The outbox (for OutboxRelay) and the inbox (for handleOnce): add them to every service's migrations. */
export const persistenceMigrations = [OutboxMigration, InboxMigration];
export const outboxMigrations = persistenceMigrations;

/** Their entities; a Database registers them whether or not the service lists them. */
export const persistenceEntities = [OutboxEntry, InboxEntry];
