import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

/** One event as the platform published it: its subject (under the platform's root) and envelope. */
export interface RecordedEvent {
  subject: string;
  /** The envelope's id (what JetStream deduplicates on). */
  id: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/**
 * Every event of the events stream whose subject matches `filter`, in publish order, read with an
 * ordered consumer until nothing is pending (the stream keeps events by limits, so this is the whole
 * history of the platform).
 */
export async function readEvents(natsUrl: string, stream: string, filter: string): Promise<RecordedEvent[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: filter });
    const events: RecordedEvent[] = [];
    for (;;) {
      const message = await consumer.next({ expires: 2_000 });
      if (!message) return events;
      const envelope = message.json<{
        id: string;
        type: string;
        time: string;
        data: Record<string, unknown>;
      }>();
      events.push({
        id: envelope.id,
        subject: message.subject,
        type: envelope.type,
        time: envelope.time,
        data: envelope.data,
      });
      if (message.info.pending === 0) return events;
    }
  } finally {
    await nc.close();
  }
}

/** One query on the platform's database, for tests that check what a service stored. */
export async function queryDatabase<T extends Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
