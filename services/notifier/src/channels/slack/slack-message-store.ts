import { type Database } from '@aviary/persistence';
import { type EntityManager } from 'typeorm';
import { qualified, returned } from '../../store/schema.js';

/** Where an execution's Slack message is (channel id and ts once posted), and who is updating it. */
export class SlackMessageStore {
  readonly table: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    this.table = qualified(schema, 'slack_messages');
  }

  /** The execution has a message in this channel from now on (posted by the first delivery). */
  async open(manager: EntityManager, executionId: string, target: string): Promise<void> {
    await manager.query(
      `insert into ${this.table} (execution_id, target) values ($1, $2) on conflict do nothing`,
      [executionId, target],
    );
  }

  /** Takes the message for an update; undefined when another delivery holds it. */
  async acquire(
    executionId: string,
    target: string,
    leaseMs: number,
  ): Promise<{ channelId: string | null; ts: string | null } | undefined> {
    const result: unknown = await this.db.dataSource.query(
      `update ${this.table} set lease_until = now() + $3 * interval '1 millisecond'
       where execution_id = $1 and target = $2 and (lease_until is null or lease_until < now())
       returning channel_id, ts`,
      [executionId, target, leaseMs],
    );
    const row = returned<{ channel_id: string | null; ts: string | null }>(result)[0];
    return row ? { channelId: row.channel_id, ts: row.ts } : undefined;
  }

  async release(
    executionId: string,
    target: string,
    posted?: { channelId: string; ts: string },
  ): Promise<void> {
    await this.db.dataSource.query(
      `update ${this.table} set lease_until = null,
         channel_id = coalesce($3, channel_id), ts = coalesce($4, ts)
       where execution_id = $1 and target = $2`,
      [executionId, target, posted?.channelId ?? null, posted?.ts ?? null],
    );
  }
}
