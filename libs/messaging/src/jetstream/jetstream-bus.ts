import {
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerMessages,
  type JsMsg,
  type PubAck,
} from '@nats-io/jetstream';
import {
  NoRespondersError,
  TimeoutError,
  headers,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { type Logger } from 'pino';
import { type Bus } from '../bus.js';
import { BusClient } from '../bus-client.js';
import { BusServer, type Binding } from '../bus-server.js';
import { encodeJson } from '../codec.js';
import { BusUnavailableError, QueryError, errorMessage } from '../errors.js';
import { Channel } from '../feeds/channel.js';
import { type Feed, type RawMessage } from '../feeds/feeds.js';
import { type BusLink, type Delivery, type QueryReply } from '../link.js';
import { resolveOptions, type BusOptions, type BusSettings } from '../options.js';
import { type ObjectStore } from '../objects/object-store.js';
import { NatsConnector, type NatsLink } from './connector.js';
import { JetStreamObjectStore } from './jetstream-objects.js';
import { desiredStreams, ensureConsumer, ensureStream } from './provisioning.js';

/** Set on a query reply when the handler failed; the body is then `{ "error": message }`. */
const SERVICE_ERROR = 'Nats-Service-Error';
const SERVICE_ERROR_CODE = 'Nats-Service-Error-Code';

function hasCause(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}

class JetStreamLink implements BusLink {
  /** Open feeds, ended when the bus closes. */
  private readonly feeds = new Set<Channel<RawMessage>>();
  private readonly buckets = new Map<string, ObjectStore>();

  constructor(
    private readonly connector: NatsConnector,
    private readonly settings: BusSettings,
  ) {}

  /**
   * An ordered consumer (ephemeral, no acks, recreated by nats.js after a gap or a reconnection)
   * on the events stream.
   */
  async follow(subject: string, fromSequence: number | undefined): Promise<Feed<RawMessage>> {
    const { js } = await this.connector.usable(this.settings.publishTimeoutMs, ['streams']);
    const consumer = await js.consumers.get(this.settings.streams.event, {
      filter_subjects: subject,
      ...(fromSequence === undefined
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, fromSequence) }),
    });
    const messages = await consumer.consume();
    const channel = this.track(() => void messages.close().catch(() => undefined));
    void (async () => {
      try {
        for await (const msg of messages)
          channel.push({ subject: msg.subject, payload: msg.data, sequence: msg.seq });
        channel.close();
      } catch (error) {
        channel.fail(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    return channel;
  }

  async listen(subject: string): Promise<Feed<RawMessage>> {
    const { nc } = await this.connector.usable(this.settings.publishTimeoutMs);
    const subscriptions: Subscription[] = [];
    const channel = this.track(() => subscriptions.forEach((subscription) => subscription.unsubscribe()));
    const subscription = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) channel.fail(error);
        else channel.push({ subject: msg.subject, payload: msg.data });
      },
    });
    subscriptions.push(subscription);
    void subscription.closed.then(() => channel.close());
    return channel;
  }

  async broadcast(subject: string, payload: Uint8Array): Promise<void> {
    const link = this.connector.ready() ?? (await this.connector.usable(this.settings.publishTimeoutMs));
    link.nc.publish(subject, payload);
  }

  objects(bucket: string): ObjectStore {
    let store = this.buckets.get(bucket);
    if (!store) {
      store = new JetStreamObjectStore(this.connector, this.settings, bucket);
      this.buckets.set(bucket, store);
    }
    return store;
  }

  /** Ends every open feed: their readers' loops finish. */
  closeFeeds(): void {
    for (const channel of [...this.feeds]) channel.close();
  }

  private track(stop: () => void): Channel<RawMessage> {
    const channel: Channel<RawMessage> = new Channel(() => {
      this.feeds.delete(channel);
      stop();
    });
    this.feeds.add(channel);
    return channel;
  }

  transmit(subject: string, payload: Uint8Array, messageId: string): Promise<PubAck> {
    const { publishTimeoutMs } = this.settings;
    const options = { msgID: messageId, timeout: publishTimeoutMs };
    // Straight to the socket when ready: an extra await here lets other queued work delay the write.
    const link = this.connector.ready(['streams']);
    if (link) return link.js.publish(subject, payload, options);
    return this.connector
      .usable(publishTimeoutMs, ['streams'])
      .then(({ js }) => js.publish(subject, payload, options));
  }

  async request(
    subject: string,
    payload: Uint8Array,
    timeoutMs: number,
    canonicalSubject: string,
  ): Promise<QueryReply> {
    const { nc } = await this.connector.usable(timeoutMs);
    let reply: Msg;
    try {
      reply = await nc.request(subject, payload, { timeout: timeoutMs });
    } catch (error) {
      if (hasCause(error, NoRespondersError)) throw QueryError.noResponders(canonicalSubject);
      if (hasCause(error, TimeoutError)) throw QueryError.timedOut(canonicalSubject, timeoutMs);
      throw error;
    }
    if (reply.headers?.get(SERVICE_ERROR)) {
      const body = reply.json<{ error?: string }>();
      return { ok: false, error: body.error ?? reply.headers.get(SERVICE_ERROR) };
    }
    return { ok: true, payload: reply.data };
  }
}

class JetStreamBusClient extends BusClient {
  constructor(
    settings: BusSettings,
    link: BusLink,
    private readonly connector: NatsConnector,
  ) {
    super(settings, link);
  }

  /** The NATS connection, for diagnostics only; throws while disconnected. */
  override unwrap<T>(): T {
    const link = this.connector.current();
    if (!link) throw new BusUnavailableError('not connected to NATS');
    return link.nc as T;
  }
}

async function consumerExists(link: NatsLink, binding: Binding): Promise<boolean> {
  try {
    await link.jsm.consumers.info(binding.stream!, binding.consumer);
    return true;
  } catch (error) {
    if (error instanceof JetStreamApiError) return false;
    throw error;
  }
}

/** A pulled message; a class rather than closures, as one is made per message. */
class JsDelivery implements Delivery {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly deliveries: number;
  readonly id: string;

  constructor(
    consumer: string,
    private readonly msg: JsMsg,
    private readonly logger: Logger,
  ) {
    const { deliveryCount, stream, streamSequence } = msg.info;
    this.subject = msg.subject;
    this.payload = msg.data;
    this.deliveries = deliveryCount;
    this.id = `${consumer}:${stream}:${streamSequence}`;
  }

  ack(): void {
    this.send(() => this.msg.ack());
  }

  nak(delayMs: number): void {
    this.send(() => this.msg.nak(delayMs));
  }

  // NATS 2.9 ignores a term with a reason; the reason is in the dead letter.
  term(): void {
    this.send(() => this.msg.term());
  }

  working(): void {
    this.send(() => this.msg.working());
  }

  /** A handler that outlived the shutdown timeout finds the connection closed: the server redelivers. */
  private send(signal: () => void): void {
    try {
      signal();
    } catch (error) {
      this.logger.warn(
        { subject: this.subject, error: errorMessage(error) },
        'could not acknowledge a message',
      );
    }
  }
}

/** Hands out at most `size` slots; `acquire` resolves at once (returns undefined) when one is free. */
/** The handler slots of one pull loop: it pulls only as many messages as it has free slots. */
class Gate {
  private active = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly size: number) {}

  get free(): number {
    return this.size - this.active;
  }

  take(): void {
    this.active += 1;
  }

  release(): void {
    this.active -= 1;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves once a slot is free. */
  async whenFree(): Promise<void> {
    while (this.active >= this.size) await new Promise<void>((resolve) => (this.wake = resolve));
  }
}

/** How long one pull waits on the server for messages before the loop asks again. */
const PULL_EXPIRES_MS = 5_000;

class JetStreamBusServer extends BusServer {
  private bindings: Binding[] = [];
  private readonly consuming = new Set<Binding>();
  private readonly iterators = new Set<ConsumerMessages>();
  private readonly subscriptions = new Map<Binding, { nc: NatsConnection; subscription: Subscription }>();

  constructor(
    settings: BusSettings,
    private readonly connector: NatsConnector,
    link: BusLink,
  ) {
    super(settings, (subject, payload, id) => link.transmit(subject, payload, id));
    connector.onStateChange((state) => this.setStatus(state));
  }

  override unwrap<T>(): T {
    const link = this.connector.current();
    if (!link) throw new BusUnavailableError('not connected to NATS');
    return link.nc as T;
  }

  protected start(bindings: Binding[]): void {
    this.bindings = bindings;
    if (bindings.length > 0) this.connector.addStep({ name: 'consumers', run: () => this.setUpConsumers() });
  }

  protected async stopIntake(): Promise<void> {
    for (const { subscription } of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    await Promise.all([...this.iterators].map((messages) => messages.close().catch(() => undefined)));
  }

  protected disconnect(): Promise<void> {
    return this.connector.close();
  }

  /** Runs after every (re)connection: consumers exist, every binding has a live pull loop or subscription. */
  private async setUpConsumers(): Promise<void> {
    const link = this.connector.current();
    if (!link || this.stopping) return;
    // Every binding gets its chance: one consumer the server refuses must not stop the others.
    const failures: string[] = [];
    for (const binding of this.bindings) {
      if (binding.stream === undefined) {
        if (this.subscriptions.get(binding)?.nc !== link.nc) this.subscribe(binding, link.nc);
        continue;
      }
      try {
        await ensureConsumer(link.jsm, binding, this.settings);
      } catch (error) {
        failures.push(errorMessage(error));
        continue;
      }
      if (!this.consuming.has(binding)) void this.consume(binding);
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  private subscribe(binding: Binding, nc: NatsConnection): void {
    const subscription = nc.subscribe(binding.subject, {
      queue: binding.consumer,
      callback: (error, msg) => {
        if (error) {
          this.settings.logger.error(
            { subject: binding.subject, error: errorMessage(error) },
            'query subscription failed',
          );
          return;
        }
        void this.answerQuery(binding, msg.subject, msg.data).then((reply) => this.reply(msg, reply));
      },
    });
    this.subscriptions.set(binding, { nc, subscription });
  }

  private reply(msg: Msg, reply: QueryReply): void {
    if (!msg.reply) return;
    try {
      if (reply.ok) {
        msg.respond(reply.payload);
        return;
      }
      const h = headers();
      h.set(SERVICE_ERROR, reply.error.split(/\r?\n/, 1)[0] || 'error');
      h.set(SERVICE_ERROR_CODE, '500');
      msg.respond(encodeJson({ error: reply.error }), { headers: h });
    } catch (error) {
      // The connection closed while the handler ran; the caller times out.
      this.settings.logger.warn({ subject: msg.subject, error: errorMessage(error) }, 'could not reply');
    }
  }

  /**
   * One pull loop per binding. Each pull asks for as many messages as there are free handler slots,
   * so that every message it gets starts at once and is kept alive by its handler: a message
   * pulled ahead and left waiting for a slot would outlive the ack wait, be redelivered (run twice)
   * and, after `maxDeliver` redeliveries, dead-lettered without ever running; and other replicas,
   * idle, would not get it. The loop ends when a pull fails (connection replaced, consumer gone for
   * good); it then asks for the setup to run again, which recreates the consumer and the loop.
   */
  private async consume(binding: Binding): Promise<void> {
    const link = this.connector.current();
    if (!link || this.stopping) return;
    const { concurrency, logger } = this.settings;
    this.consuming.add(binding);
    try {
      const consumer = await link.js.consumers.get(binding.stream!, binding.consumer);
      logger.debug({ consumer: binding.consumer }, 'pulling');
      const gate = new Gate(concurrency);
      while (!this.stopping && this.connector.current() === link) {
        await gate.whenFree();
        if (this.stopping) break;
        const messages = await consumer.fetch({ max_messages: gate.free, expires: PULL_EXPIRES_MS });
        this.iterators.add(messages);
        void this.watch(messages);
        let received = 0;
        try {
          for await (const msg of messages) {
            received += 1;
            if (this.stopping) {
              // Pulled but not started: give it back now rather than after the ack wait.
              msg.nak();
              continue;
            }
            gate.take();
            void this.handleDelivery(binding, new JsDelivery(binding.consumer, msg, logger)).finally(() =>
              gate.release(),
            );
          }
        } finally {
          this.iterators.delete(messages);
        }
        // An empty pull: the consumer may be gone (deleted under it) with nothing said; recreate it.
        if (received === 0 && !this.stopping && !(await consumerExists(link, binding))) break;
      }
    } catch (error) {
      if (!this.stopping)
        logger.warn(
          { consumer: binding.consumer, error: errorMessage(error) },
          'consumer stopped; restarting',
        );
    } finally {
      this.consuming.delete(binding);
    }
    logger.debug({ consumer: binding.consumer }, 'stopped pulling');
    if (!this.stopping) this.connector.setUp();
  }

  /**
   * A consumer or stream that vanished (deleted, or a server restarted without its store), or a
   * server that stopped answering pulls: the iterator would keep waiting, so end it; its loop then
   * asks for the setup, which recreates the stream, the consumer and the loop.
   */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (
        status.type === 'consumer_not_found' ||
        status.type === 'stream_not_found' ||
        status.type === 'consumer_deleted' ||
        status.type === 'heartbeats_missed'
      ) {
        this.settings.logger.debug({ status }, 'consumer lost; recreating it');
        await messages.close();
        return;
      }
    }
  }
}

/**
 * A bus on NATS JetStream. It returns at once and connects in the background: `health()` says why it
 * is not ready (NATS unreachable, streams or consumers being created) until it is.
 */
export function createJetStreamBus(options: BusOptions): Bus {
  const settings = resolveOptions(options);
  if (settings.servers.length === 0) throw new Error('servers: give at least one NATS URL');
  const connector = new NatsConnector(settings);
  connector.addStep({
    name: 'streams',
    run: async ({ jsm }) => {
      for (const stream of desiredStreams(settings)) await ensureStream(jsm, stream);
    },
  });
  const link = new JetStreamLink(connector, settings);
  const client = new JetStreamBusClient(settings, link, connector);
  const server = new JetStreamBusServer(settings, connector, link);
  connector.start();
  return {
    server,
    client,
    health: () => connector.health(),
    close: async () => {
      link.closeFeeds();
      await server.close();
      await connector.close();
    },
  };
}
