import { type EntityManager } from 'typeorm';
import { InboxEntry } from './inbox-entry.entity.js';
import { requireTransaction, tableName } from './table-name.js';

/**
 * True the first time `consumer` handles `messageId`, false after: the inbox row is inserted in the
 * caller's transaction, so it commits with the handler's effects or not at all. A second replica
 * handling the same message at the same moment waits on the first one's row, then gets false.
 */
export async function handleOnce(
  manager: EntityManager,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  requireTransaction(manager, 'handleOnce');
  const inserted = await manager.query<unknown[]>(
    `insert into ${tableName(manager, InboxEntry)} (consumer, message_id) values ($1, $2)
     on conflict do nothing returning 1`,
    [consumer, messageId],
  );
  return inserted.length === 1;
}
