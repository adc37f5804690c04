import {
  type DataOf,
  type Envelope,
  type EnvelopeMeta,
  EnvelopeSchema,
  envelopeFor,
  type MessageContract,
} from '@aviary/events';
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

/**
 * enqueue() by contract, the usual way in: the subject comes from the contract and the data is
 * validated now, so the row is one the bus client will accept (it rejects a type/subject mismatch,
 * and a row that can never be published would hold up the outbox).
 */
export async function enqueueMessage<C extends MessageContract>(
  manager: EntityManager,
  contract: C,
  data: DataOf<C>,
  meta: EnvelopeMeta,
): Promise<Envelope<DataOf<C>>> {
  const envelope = envelopeFor(contract, data, meta);
  await enqueue(manager, contract.subject, envelope);
  return envelope;
}

/** One message for {@link enqueueMessages}. */
export interface OutgoingMessage<C extends MessageContract = MessageContract> {
  contract: C;
  data: DataOf<C>;
  meta: EnvelopeMeta;
}

/**
 * enqueueMessage() for several messages in one statement, in the caller's transaction; they are
 * published in the order given. For code that writes a few messages per transaction on a hot path.
 */
export async function enqueueMessages(
  manager: EntityManager,
  messages: readonly OutgoingMessage[],
): Promise<Envelope[]> {
  requireTransaction(manager, 'enqueueMessages');
  if (messages.length === 0) return [];
  const insert = outboxInsert(manager, messages, 1);
  await manager.query(insert.sql, insert.parameters);
  return insert.envelopes;
}

/**
 * The insert of enqueueMessages() as a statement for the caller to embed in its own (as a WITH
 * clause), so that a hot path writes its state and its messages in one round trip; it must run in
 * the caller's transaction. Its three parameters are numbered from `firstParameter`; the data is
 * validated here, and the envelopes are returned.
 */
export function outboxInsert(
  manager: EntityManager,
  messages: readonly OutgoingMessage[],
  firstParameter: number,
): { sql: string; parameters: unknown[]; envelopes: Envelope[] } {
  const envelopes = messages.map(({ contract, data, meta }) => envelopeFor(contract, data, meta));
  const [subjects, ids, bodies] = [firstParameter, firstParameter + 1, firstParameter + 2];
  return {
    sql: `insert into ${tableName(manager, OutboxEntry)} (subject, envelope_id, envelope)
      select m.subject, m.envelope_id, m.envelope
      from unnest($${subjects}::text[], $${ids}::text[], $${bodies}::jsonb[])
        with ordinality as m(subject, envelope_id, envelope, n)
      order by m.n
      on conflict (envelope_id) do nothing`,
    parameters: [
      messages.map(({ contract }) => contract.subject),
      envelopes.map((envelope) => envelope.id),
      envelopes.map((envelope) => JSON.stringify(envelope)),
    ],
    envelopes,
  };
}
