import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { buildEnvelope, type Envelope } from '@aviary/events';
import { databaseUrlForTests, dropSchema, uniqueSchemaName } from '@aviary/test-support';
// The real bus client lives in libs/messaging; this test talks to JetStream directly so that the
// outbox is proven against JetStream's own deduplication, not against a stand-in.
// eslint-disable-next-line no-restricted-imports
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
// eslint-disable-next-line no-restricted-imports
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { IsNull } from 'typeorm';
import { Database } from '../database.js';
import { TcpProxy } from '@aviary/test-support';
import { Widget, WidgetMigration } from '../testing/widget.js';
import { enqueue } from './enqueue.js';
import { OutboxEntry } from './outbox-entry.entity.js';
import { OutboxRelay, type EnvelopePublisher, type OutboxRelayOptions } from './outbox-relay.js';
import { outboxMigrations } from './outbox.migrations.js';

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What the bus client does: one JetStream publish per call, deduplicated on the envelope id. */
class JetStreamPublisher implements EnvelopePublisher {
  readonly calls: string[] = [];
  failuresToInject = 0;

  constructor(private readonly js: JetStreamClient) {}

  async publishEnvelope(subject: string, envelope: Envelope): Promise<void> {
    this.calls.push(envelope.id);
    if (this.failuresToInject > 0) {
      this.failuresToInject--;
      throw new Error('nats: no responders (injected)');
    }
    await this.js.publish(subject, JSON.stringify(envelope), { msgID: envelope.id });
  }
}

describe('OutboxRelay on PostgreSQL and JetStream', () => {
  let url: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let stream: string;
  let subjectRoot: string;
  let schema: string;
  const databases: Database[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    url = await databaseUrlForTests();
    nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterAll(async () => {
    await nc.close();
  });

  beforeEach(async () => {
    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    stream = `outbox_test_${id}`;
    subjectRoot = `outboxtest${id}`;
    schema = uniqueSchemaName('persistence_outbox');
    await jsm.streams.add({ name: stream, subjects: [`${subjectRoot}.>`], duplicate_window: nanos(120_000) });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await Promise.all(databases.splice(0).map((db) => db.close()));
    await jsm.streams.delete(stream);
    await dropSchema(url, schema);
  });

  async function replica(): Promise<Database> {
    const db = new Database({
      target: { kind: 'postgres', url },
      schema,
      entities: [Widget],
      migrations: [...outboxMigrations, WidgetMigration],
      retryDelayMs: 50,
    });
    databases.push(db);
    db.start();
    await db.ready(10_000);
    return db;
  }

  function relay(db: Database, publisher: EnvelopePublisher, options: OutboxRelayOptions = {}): OutboxRelay {
    const created = new OutboxRelay(db, publisher, {
      pollIntervalMs: 50,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      ...options,
    });
    relays.push(created);
    created.start();
    return created;
  }

  function envelope(n: number): Envelope {
    return buildEnvelope('dev.aviary.test.thing-happened.v1', { n }, { source: 'persistence-test' });
  }

  /** Writes a business row and its message in one transaction, as a service does. */
  async function commitWidget(db: Database, n: number): Promise<Envelope> {
    const message = envelope(n);
    await db.transaction(async (manager) => {
      await manager.getRepository(Widget).save({ name: `widget ${n}` });
      await enqueue(manager, `${subjectRoot}.evt.thing`, message);
    });
    return message;
  }

  /** Every message a fresh consumer of the stream receives, in stream order. */
  async function consumed(): Promise<string[]> {
    const consumer = await js.consumers.get(stream);
    const messages = await consumer.fetch({ max_messages: 1_000, expires: 1_000 });
    const ids: string[] = [];
    for await (const message of messages) {
      ids.push(message.json<Envelope>().id);
      if (message.info.pending === 0) break;
    }
    return ids;
  }

  async function unsent(db: Database): Promise<number> {
    return db.dataSource.getRepository(OutboxEntry).countBy({ sentAt: IsNull() });
  }

  async function sentIds(db: Database): Promise<string[]> {
    const rows = await db.dataSource
      .getRepository(OutboxEntry)
      .createQueryBuilder('o')
      .where('o.sent_at is not null')
      .orderBy('o.id')
      .getMany();
    return rows.map((row) => row.envelopeId);
  }

  it('publishes a committed message once and marks it sent', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    relay(db, publisher);
    const message = await commitWidget(db, 1);
    await eventually(async () => (await sentIds(db)).includes(message.id));
    expect(await consumed()).toEqual([message.id]);
    expect(await db.dataSource.getRepository(Widget).count()).toBe(1);
  });

  it('publishes nothing for a transaction that rolled back', async () => {
    const db = await replica();
    relay(db, new JetStreamPublisher(js));
    await expect(
      db.transaction(async (manager) => {
        await manager.getRepository(Widget).save({ name: 'rolled back' });
        await enqueue(manager, `${subjectRoot}.evt.thing`, envelope(0));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    // Rows go out in order of creation: once the later one is out, the earlier one would have been.
    const later = await commitWidget(db, 1);
    await eventually(async () => (await sentIds(db)).includes(later.id));
    expect(await consumed()).toEqual([later.id]);
  });

  it('after a crash between publish and marking sent, a new relay republishes and the consumer sees it once', async () => {
    const crashed = await replica();
    const publisher = new JetStreamPublisher(js);
    let crashedAfterPublish = false;
    relay(crashed, publisher, {
      claimTtlMs: 500,
      faults: {
        afterPublish: async () => {
          crashedAfterPublish = true;
          // The process dies: no more database, so the row is neither marked sent nor released.
          await crashed.close();
          throw new Error('killed after publish');
        },
      },
    });
    const message = await commitWidget(await replica(), 1);
    await eventually(() => crashedAfterPublish);

    const survivor = await replica();
    relay(survivor, publisher, { claimTtlMs: 500 });
    await eventually(async () => (await sentIds(survivor)).includes(message.id));
    expect(publisher.calls).toEqual([message.id, message.id]);
    expect(await consumed()).toEqual([message.id]);
  });

  it('after a crash between commit and publish, a new relay publishes it exactly once', async () => {
    const crashed = await replica();
    const publisher = new JetStreamPublisher(js);
    let crashedBeforePublish = false;
    relay(crashed, publisher, {
      claimTtlMs: 500,
      faults: {
        beforePublish: async () => {
          crashedBeforePublish = true;
          await crashed.close();
          throw new Error('killed before publish');
        },
      },
    });
    const message = await commitWidget(await replica(), 1);
    await eventually(() => crashedBeforePublish);
    expect(publisher.calls).toEqual([]);

    const survivor = await replica();
    relay(survivor, publisher, { claimTtlMs: 500 });
    await eventually(async () => (await sentIds(survivor)).includes(message.id));
    expect(publisher.calls).toEqual([message.id]);
    expect(await consumed()).toEqual([message.id]);
  });

  it('a relay stopped right after the commit leaves the message to the next relay', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    const stopped = relay(db, publisher, { pollIntervalMs: 60_000 });
    await stopped.stop();
    const message = await commitWidget(db, 1);
    expect(await unsent(db)).toBe(1);

    relay(db, publisher);
    await eventually(async () => (await sentIds(db)).includes(message.id));
    expect(await consumed()).toEqual([message.id]);
  });

  it('retries a failed publish with backoff, keeping the row, and lets nothing overtake it', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    publisher.failuresToInject = 2;
    const first = await commitWidget(db, 1);
    const second = await commitWidget(db, 2);
    relay(db, publisher);
    await eventually(async () => (await sentIds(db)).length === 2);
    expect(publisher.calls).toEqual([first.id, first.id, first.id, second.id]);
    expect(await consumed()).toEqual([first.id, second.id]);
    const row = await db.dataSource.getRepository(OutboxEntry).findOneByOrFail({ envelopeId: first.id });
    expect(row).toMatchObject({ attempts: 2, lastError: 'nats: no responders (injected)' });
  });

  it('an afterPublish failure makes the relay publish again, and JetStream drops the duplicate', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    let failOnce = true;
    relay(db, publisher, {
      faults: {
        afterPublish: () => {
          if (!failOnce) return;
          failOnce = false;
          throw new Error('lost the ack');
        },
      },
    });
    const message = await commitWidget(db, 1);
    await eventually(async () => (await sentIds(db)).includes(message.id));
    expect(publisher.calls).toEqual([message.id, message.id]);
    expect(await consumed()).toEqual([message.id]);
  });

  it('two relays on the same table publish each message once, in order of creation', async () => {
    const [a, b] = [await replica(), await replica()];
    const publisher = new JetStreamPublisher(js);
    const slowly: EnvelopePublisher = {
      publishEnvelope: async (subject, message) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await publisher.publishEnvelope(subject, message);
      },
    };
    relay(a, slowly, { batchSize: 7 });
    relay(b, slowly, { batchSize: 7 });
    const written: string[] = [];
    for (let n = 0; n < 60; n++) written.push((await commitWidget(n % 2 ? a : b, n)).id);
    await eventually(async () => (await sentIds(a)).length === written.length, 20_000);
    expect(publisher.calls).toEqual(written);
    expect(await consumed()).toEqual(written);
  });

  it('poke() publishes at once instead of waiting for the next poll', async () => {
    const db = await replica();
    const earlier = await commitWidget(db, 1);
    const idle = relay(db, new JetStreamPublisher(js), { pollIntervalMs: 60_000 });
    // Once the first round has sent this, the relay waits a minute before looking again.
    await eventually(async () => (await sentIds(db)).includes(earlier.id));
    const message = await commitWidget(db, 2);
    idle.poke();
    await eventually(async () => (await sentIds(db)).includes(message.id), 5_000);
  });

  it('publishCommitted() publishes what a transaction just committed at once and marks it sent', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    const earlier = await commitWidget(db, 1);
    const idle = relay(db, publisher, { pollIntervalMs: 60_000 });
    // Once the first round has sent this, the loop waits a minute before looking again.
    await eventually(async () => (await sentIds(db)).includes(earlier.id));
    const message = await commitWidget(db, 2);
    idle.publishCommitted([{ subject: `${subjectRoot}.evt.thing`, envelope: message }]);
    await eventually(async () => (await sentIds(db)).includes(message.id), 5_000);
    expect(publisher.calls).toEqual([earlier.id, message.id]);
    expect(await consumed()).toEqual([earlier.id, message.id]);
  });

  it('publishCommitted() leaves what it could not publish to the loop, and races with it harmlessly', async () => {
    const db = await replica();
    const publisher = new JetStreamPublisher(js);
    const earlier = await commitWidget(db, 0);
    const busy = relay(db, publisher, { pollIntervalMs: 60_000 });
    await eventually(async () => (await sentIds(db)).includes(earlier.id));
    publisher.failuresToInject = 1;
    const failed = await commitWidget(db, 1);
    busy.publishCommitted([{ subject: `${subjectRoot}.evt.thing`, envelope: failed }]);
    await eventually(async () => (await sentIds(db)).includes(failed.id), 5_000);
    const raced = await commitWidget(db, 2);
    busy.poke();
    busy.publishCommitted([{ subject: `${subjectRoot}.evt.thing`, envelope: raced }]);
    await eventually(async () => (await sentIds(db)).includes(raced.id), 5_000);
    expect(publisher.calls.filter((id) => id === failed.id).length).toBe(2);
    expect(await consumed()).toEqual([earlier.id, failed.id, raced.id]);
  });

  it('a relay started before its database is up publishes as soon as the database is ready', async () => {
    const proxy = new TcpProxy(
      { host: new URL(url).hostname, port: Number(new URL(url).port || 5432) },
      await TcpProxy.freePort(),
    );
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const db = new Database({
      target: { kind: 'postgres', url: through.toString() },
      schema,
      entities: [Widget],
      migrations: [...outboxMigrations, WidgetMigration],
      retryDelayMs: 50,
    });
    databases.push(db);
    db.start();
    // A long publish backoff: it must not apply while the relay merely waits for the database.
    relay(db, new JetStreamPublisher(js), { retryDelayMs: 5_000, maxRetryDelayMs: 5_000 });
    await eventually(async () => (await db.health()).detail.includes('ECONNREFUSED'));
    await proxy.open();
    try {
      await db.ready(10_000);
      const message = await commitWidget(db, 1);
      await eventually(async () => (await sentIds(db)).includes(message.id), 3_000);
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      await proxy.close();
    }
  });

  it('prunes sent rows after the retention period', async () => {
    const db = await replica();
    relay(db, new JetStreamPublisher(js), { retentionMs: 0, pruneIntervalMs: 0 });
    await commitWidget(db, 1);
    await eventually(async () => (await db.dataSource.getRepository(OutboxEntry).count()) === 0);
    expect(await consumed()).toHaveLength(1);
  });
});
