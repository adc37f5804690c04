import { type Envelope, EnvelopeSchema } from '@aviary/events';
import { type EntityManager } from 'typeorm';
import { OutboxEntry } from './outbox-entry.entity.js';
import { requireTransaction, tableName } from './table-name.js';

/**
 * Records a message to publish, in the caller's transaction: it is sent if and only if the
 * transaction commits. The envelope is checked here, because a row the bus refuses would hold up
 * every message behind it. Enqueueing an envelope id that is already in the outbox does nothing, as
 * publishing it twice would.
 */
export async function enqueue(manager: EntityManager, subject: string, envelope: Envelope): Promise<void> {
  requireTransaction(manager, 'enqueue');
  if (subject.length === 0) throw new Error('enqueue: empty subject');
  const checked = EnvelopeSchema.parse(envelope);
  await manager.query(
    `insert into ${tableName(manager, OutboxEntry)} (subject, envelope_id, envelope)
     values ($1, $2, $3) on conflict (envelope_id) do nothing`,
    [subject, checked.id, JSON.stringify(envelope)],
  );
}
