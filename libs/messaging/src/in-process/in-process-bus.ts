import { type Bus, type BusHealth } from '../bus.js';
import { BusClient } from '../bus-client.js';
import { BusServer, type Binding } from '../bus-server.js';
import { BusUnavailableError, QueryError, errorMessage } from '../errors.js';
import { Channel } from '../feeds/channel.js';
import { type Feed, type RawMessage } from '../feeds/feeds.js';
import { type BusLink, type QueryReply } from '../link.js';
import { type ObjectStore } from '../objects/object-store.js';
import { resolveOptions, type BusOptions, type BusSettings } from '../options.js';
import { BrokerRequestError, type InProcessBroker } from './broker.js';

class InProcessLink implements BusLink {
  closed = false;
  private readonly feeds = new Set<Channel<RawMessage>>();

  constructor(
    private readonly broker: InProcessBroker,
    private readonly eventStream: string,
  ) {}

  follow(subject: string, fromSequence: number | undefined): Promise<Feed<RawMessage>> {
    if (this.closed) return Promise.reject(new BusUnavailableError('the bus is closed'));
    let stop: () => void = () => undefined;
    const channel = this.track(() => stop());
    // Delivered on later turns, as from a network, so a reader never runs inside a publisher's call.
    stop = this.broker.follow(this.eventStream, subject, fromSequence, (message) =>
      setImmediate(() =>
        channel.push({ subject: message.subject, payload: message.payload, sequence: message.seq }),
      ),
    );
    return Promise.resolve(channel);
  }

  listen(subject: string): Promise<Feed<RawMessage>> {
    if (this.closed) return Promise.reject(new BusUnavailableError('the bus is closed'));
    let stop: () => void = () => undefined;
    const channel = this.track(() => stop());
    stop = this.broker.listen(subject, (received, payload) =>
      setImmediate(() => channel.push({ subject: received, payload })),
    );
    return Promise.resolve(channel);
  }

  broadcast(subject: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new BusUnavailableError('the bus is closed'));
    this.broker.broadcast(subject, payload);
    return Promise.resolve();
  }

  objects(bucket: string): ObjectStore {
    return this.broker.objects(bucket);
  }

  close(): void {
    this.closed = true;
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

  transmit(subject: string, payload: Uint8Array, messageId: string): Promise<{ duplicate: boolean }> {
    if (this.closed) return Promise.reject(new BusUnavailableError('the bus is closed'));
    return Promise.resolve({ duplicate: this.broker.publish(subject, payload, messageId) });
  }

  async request(
    subject: string,
    payload: Uint8Array,
    timeoutMs: number,
    canonicalSubject: string,
  ): Promise<QueryReply> {
    if (this.closed) throw new BusUnavailableError('the bus is closed');
    try {
      return await this.broker.request(subject, payload, timeoutMs);
    } catch (error) {
      if (error instanceof BrokerRequestError)
        throw error.code === 'no-responders'
          ? QueryError.noResponders(canonicalSubject)
          : QueryError.timedOut(canonicalSubject, timeoutMs);
      throw error;
    }
  }
}

class InProcessBusClient extends BusClient {
  constructor(
    settings: BusSettings,
    link: BusLink,
    private readonly broker: InProcessBroker,
  ) {
    super(settings, link);
  }

  override unwrap<T>(): T {
    return this.broker as T;
  }
}

class InProcessBusServer extends BusServer {
  private readonly stops: Array<() => void> = [];
  /** Why a consumer could not be set up; reported by health(), as the JetStream bus does. */
  setupError: string | undefined;

  constructor(
    settings: BusSettings,
    private readonly link: InProcessLink,
    private readonly broker: InProcessBroker,
  ) {
    super(settings, (subject, payload, id) => link.transmit(subject, payload, id));
    this.setStatus('connected');
  }

  override unwrap<T>(): T {
    return this.broker as T;
  }

  protected start(bindings: Binding[]): void {
    const { concurrency, ackWaitMs } = this.settings;
    for (const binding of bindings) {
      if (binding.stream === undefined) {
        this.stops.push(
          this.broker.respond(binding.subject, binding.consumer, (subject, payload) =>
            this.answerQuery(binding, subject, payload),
          ),
        );
        continue;
      }
      try {
        this.broker.addConsumer(binding.stream, {
          name: binding.consumer,
          filter: binding.subject,
          ackWaitMs,
        });
      } catch (error) {
        this.setupError = `cannot create the consumer ${binding.consumer} on ${binding.stream}: ${errorMessage(error)}`;
        this.settings.logger.error(this.setupError);
        continue;
      }
      this.stops.push(
        this.broker.consume(binding.stream, binding.consumer, concurrency, (delivery) => {
          // Delivered after close() began (it was already on its way): give it back at once.
          if (this.stopping) delivery.nak(0);
          else void this.handleDelivery(binding, delivery);
        }),
      );
    }
  }

  protected stopIntake(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    return Promise.resolve();
  }

  protected disconnect(): Promise<void> {
    this.link.close();
    return Promise.resolve();
  }
}

/**
 * A bus on the process's {@link InProcessBroker}, with the same contract as the JetStream one; the
 * standalone mode gives each of its seven services one of these on a shared broker.
 */
export function createInProcessBus(broker: InProcessBroker, options: Omit<BusOptions, 'servers'>): Bus {
  const settings = resolveOptions(options);
  const { streams, subjectRoot, duplicateWindowMs, retentionMs } = settings;
  broker.addStream({
    name: streams.command,
    subjects: `${subjectRoot}.cmd.>`,
    retention: 'work-queue',
    duplicateWindowMs,
    maxAgeMs: retentionMs,
  });
  broker.addStream({
    name: streams.event,
    subjects: `${subjectRoot}.evt.>`,
    retention: 'limits',
    duplicateWindowMs,
    maxAgeMs: retentionMs,
  });
  broker.addStream({
    name: streams.deadLetter,
    subjects: `${subjectRoot}.dlq.>`,
    retention: 'limits',
    duplicateWindowMs,
    maxAgeMs: retentionMs,
  });
  settings.metrics.setConnected(true);
  const link = new InProcessLink(broker, streams.event);
  const client = new InProcessBusClient(settings, link, broker);
  const server = new InProcessBusServer(settings, link, broker);
  return {
    server,
    client,
    health: (): BusHealth => {
      if (link.closed) return { ready: false, detail: 'closed' };
      if (server.setupError) return { ready: false, detail: server.setupError };
      return { ready: true, detail: `in-process broker, streams ${streams.command}, ${streams.event}` };
    },
    close: async () => {
      await server.close();
      settings.metrics.setConnected(false);
    },
  };
}
