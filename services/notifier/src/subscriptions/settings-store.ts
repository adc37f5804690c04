import { NotificationSettings } from '@aviary/events';
import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';
import { qualified } from '../store/schema.js';

export interface StoredSettings {
  settings: NotificationSettings;
  updatedBy: string;
  updatedAt: Date;
}

/** Notification settings set through the API, one row per application. */
export class SettingsStore {
  readonly table: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    this.table = qualified(schema, 'settings');
  }

  async get(application: string, manager?: EntityManager): Promise<StoredSettings | undefined> {
    const rows = await (manager ?? this.db.dataSource).query<
      Array<{ settings: unknown; updated_by: string; updated_at: Date }>
    >(`select settings, updated_by, updated_at from ${this.table} where application = $1`, [application]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      settings: NotificationSettings.parse(row.settings),
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }

  async set(application: string, settings: NotificationSettings | null, user: string): Promise<void> {
    if (settings === null) {
      await this.db.dataSource.query(`delete from ${this.table} where application = $1`, [application]);
      return;
    }
    await this.db.dataSource.query(
      `insert into ${this.table} (application, settings, updated_by, updated_at) values ($1, $2::jsonb, $3, now())
       on conflict (application) do update set settings = excluded.settings, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at`,
      [application, JSON.stringify(settings), user],
    );
  }
}
