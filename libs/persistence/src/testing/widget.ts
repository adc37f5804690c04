import { Column, Entity, type MigrationInterface, PrimaryGeneratedColumn, type QueryRunner } from 'typeorm';

/** A service's own table, for tests that write business rows beside outbox rows. */
@Entity({ name: 'widget' })
export class Widget {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;
}

export class WidgetMigration implements MigrationInterface {
  readonly name = 'Widget1790000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table widget (
        id uuid not null default uuid_generate_v4(),
        name text not null,
        constraint "PK_widget" primary key (id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table widget`);
  }
}

/** Records each run and dawdles, so that two replicas migrating at once would be caught running it twice. */
export class SlowCountingMigration implements MigrationInterface {
  readonly name = 'SlowCounting1790000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `create table if not exists migration_runs (at timestamptz not null default now())`,
    );
    await queryRunner.query(`insert into migration_runs default values`);
    await queryRunner.query(`select pg_sleep(0.3)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table migration_runs`);
  }
}
