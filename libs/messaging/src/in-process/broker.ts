import { subjectMatches } from '@aviary/events';
import { type Delivery, type QueryReply } from '../link.js';
import { FolderObjectStore } from '../objects/folder-objects.js';
import { MemoryObjectStore } from '../objects/memory-objects.js';
import { checkBucket, type ObjectStore } from '../objects/object-store.js';
import { BrokerJournal, type JournaledMessage, UNCLAIMED } from './journal.js';

export interface StreamConfig {
  name: string;
  /** One subject pattern, like JetStream's `subjects`. */
  subjects: string;
  /** `work-queue`: a message lives until its consumer acks it; `limits`: kept (capped) for reading. */
  retention: 'work-queue' | 'limits';
  duplicateWindowMs: number;
  maxAgeMs: number;
}

/**
 * A durable consumer. On a work queue it also takes the messages waiting for it; on a limits stream
 * it starts with the messages published after its creation (JetStream's DeliverPolicy.New).
 */
export interface ConsumerConfig {
  name: string;
  filter: string;
  ackWaitMs: number;
}

export interface StoredMessage {
  seq: number;
  subject: string;
  payload: Uint8Array;
  time: number;
}

export interface ConsumerState {
  name: string;
  /** Waiting to be delivered (including naks waiting for their delay). */
  pending: number;
  /** Delivered, not yet acked. */
  ackPending: number;
}

/** Kept limits-stream messages; older ones are dropped beyond this. */
const LIMITS_CAP = 10_000;

export class BrokerRequestError extends Error {
  constructor(readonly code: 'no-responders' | 'timeout') {
    super(code);
  }
}

interface Subscriber {
  onDelivery: (delivery: Delivery) => void;
  concurrency: number;
  active: number;
}

interface Entry {
  message: StoredMessage;
  deliveries: number;
  /** Bumped on every delivery, so a late ack of an earlier delivery changes nothing. */
  attempt: number;
  ackTimer?: NodeJS.Timeout;
}

class MemoryConsumer {
  private readonly ready: Entry[] = [];
  private readonly unacked = new Set<Entry>();
  private readonly delayed = new Set<Entry>();
  private readonly subscribers: Subscriber[] = [];
  private turn = 0;

  constructor(
    readonly config: ConsumerConfig,
    private readonly stream: MemoryStream,
  ) {}

  enqueue(message: StoredMessage): void {
    this.stream.journal?.record(this.stream.config.name, this.config.name, message);
    this.ready.push({ message, deliveries: 0, attempt: 0 });
    this.pump();
  }

  /**
   * A message this consumer had not acknowledged when the process stopped. One that was delivered
   * may have a handler cut off mid-way whose work another replica would detect as its own: it comes
   * back after the ack wait, as JetStream redelivers to a consumer whose client vanished.
   */
  restore(message: StoredMessage, delivered: boolean): void {
    const entry: Entry = { message, deliveries: delivered ? 1 : 0, attempt: 0 };
    if (!delivered) {
      this.ready.push(entry);
      this.pump();
      return;
    }
    this.delayed.add(entry);
    setTimeout(() => {
      this.delayed.delete(entry);
      this.ready.push(entry);
      this.pump();
    }, this.config.ackWaitMs).unref();
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.push(subscriber);
    this.pump();
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers.splice(index, 1);
    };
  }

  state(): ConsumerState {
    return {
      name: this.config.name,
      pending: this.ready.length + this.delayed.size,
      ackPending: this.unacked.size,
    };
  }

  private pump(): void {
    while (this.ready.length > 0) {
      const subscriber = this.nextSubscriber();
      if (!subscriber) return;
      this.deliver(this.ready.shift()!, subscriber);
    }
  }

  /** Round robin among the subscribers (replicas) that have a free slot: queue sharing. */
  private nextSubscriber(): Subscriber | undefined {
    for (let i = 0; i < this.subscribers.length; i++) {
      const subscriber = this.subscribers[(this.turn + i) % this.subscribers.length]!;
      if (subscriber.active < subscriber.concurrency) {
        this.turn = (this.turn + i + 1) % this.subscribers.length;
        return subscriber;
      }
    }
    return undefined;
  }

  private deliver(entry: Entry, subscriber: Subscriber): void {
    if (entry.deliveries === 0)
      this.stream.journal?.markDelivered(this.stream.config.name, this.config.name, entry.message.seq);
    entry.deliveries += 1;
    const attempt = ++entry.attempt;
    this.unacked.add(entry);
    subscriber.active += 1;
    const current = () => entry.attempt === attempt && this.unacked.has(entry);
    const armAckTimer = () => {
      clearTimeout(entry.ackTimer);
      entry.ackTimer = setTimeout(() => {
        if (current()) this.requeue(entry, 0);
      }, this.config.ackWaitMs).unref();
    };
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      subscriber.active -= 1;
      if (current()) outcome();
      this.pump();
    };
    armAckTimer();
    const delivery: Delivery = {
      subject: entry.message.subject,
      payload: entry.message.payload,
      deliveries: entry.deliveries,
      id: `${this.config.name}:${this.stream.config.name}:${entry.message.seq}`,
      ack: () => settle(() => this.finish(entry)),
      term: () => settle(() => this.finish(entry)),
      nak: (delayMs) => settle(() => this.requeue(entry, delayMs)),
      working: () => {
        if (!settled && current()) armAckTimer();
      },
    };
    // Delivered on a later turn of the event loop, as from a network: the publisher's stack and
    // async context never run the handler.
    setImmediate(() => subscriber.onDelivery(delivery));
  }

  private finish(entry: Entry): void {
    clearTimeout(entry.ackTimer);
    this.unacked.delete(entry);
    this.stream.journal?.remove(this.stream.config.name, this.config.name, entry.message.seq);
    this.stream.acknowledged(entry.message);
  }

  private requeue(entry: Entry, delayMs: number): void {
    clearTimeout(entry.ackTimer);
    this.unacked.delete(entry);
    entry.attempt += 1;
    if (delayMs <= 0) {
      this.ready.push(entry);
      this.pump();
      return;
    }
    this.delayed.add(entry);
    setTimeout(() => {
      this.delayed.delete(entry);
      this.ready.push(entry);
      this.pump();
    }, delayMs).unref();
  }
}

/** Whether some subject matches both patterns (a work queue gives each message to one consumer). */
function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === '>' || y[i] === '>') return x[i] !== undefined && y[i] !== undefined;
    if (x[i] === undefined || y[i] === undefined) return false;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  return true;
}

const storedOf = (message: JournaledMessage): StoredMessage => ({
  seq: message.seq,
  subject: message.subject,
  payload: message.payload,
  time: message.time,
});

class MemoryStream {
  private seq = 0;
  private readonly messages: StoredMessage[] = [];
  /** Work-queue messages that no consumer's filter takes yet: they wait for one, as in JetStream. */
  private readonly unclaimed: StoredMessage[] = [];
  private readonly recentIds = new Map<string, number>();
  private readonly followers = new Set<(message: StoredMessage) => void>();
  readonly consumers = new Map<string, MemoryConsumer>();

  constructor(
    readonly config: StreamConfig,
    readonly journal?: BrokerJournal,
  ) {
    if (!journal) return;
    this.seq = journal.sequence(config.name);
    if (config.retention === 'work-queue')
      for (const message of journal.take(config.name, UNCLAIMED)) {
        const stored = storedOf(message);
        this.messages.push(stored);
        this.unclaimed.push(stored);
      }
  }

  publish(subject: string, payload: Uint8Array, messageId: string): boolean {
    const now = Date.now();
    for (const [id, expires] of this.recentIds) {
      if (expires > now) break;
      this.recentIds.delete(id);
    }
    if (this.recentIds.has(messageId)) return true;
    this.recentIds.set(messageId, now + this.config.duplicateWindowMs);
    const message: StoredMessage = { seq: ++this.seq, subject, payload, time: now };
    this.journal?.advance(this.config.name, message.seq);
    for (const follower of this.followers) follower(message);
    if (this.config.retention === 'limits') {
      this.messages.push(message);
      this.trim(now);
      for (const consumer of this.consumers.values())
        if (subjectMatches(consumer.config.filter, subject)) consumer.enqueue(message);
      return false;
    }
    this.messages.push(message);
    const consumer = [...this.consumers.values()].find((c) => subjectMatches(c.config.filter, subject));
    if (consumer) consumer.enqueue(message);
    else {
      this.journal?.record(this.config.name, UNCLAIMED, message);
      this.unclaimed.push(message);
    }
    return false;
  }

  addConsumer(config: ConsumerConfig): MemoryConsumer {
    const existing = this.consumers.get(config.name);
    if (existing) {
      if (existing.config.filter !== config.filter)
        throw new Error(`consumer ${config.name} already exists with the filter ${existing.config.filter}`);
      return existing;
    }
    if (this.config.retention === 'work-queue')
      for (const other of this.consumers.values())
        if (subjectsOverlap(other.config.filter, config.filter))
          throw new Error(
            `filtered consumer not unique on work queue stream: ${other.config.name} already takes ${other.config.filter}`,
          );
    const consumer = new MemoryConsumer(config, this);
    this.consumers.set(config.name, consumer);
    for (const message of this.journal?.take(this.config.name, config.name) ?? []) {
      const stored = storedOf(message);
      if (this.config.retention === 'work-queue') this.messages.push(stored);
      consumer.restore(stored, message.delivered);
    }
    if (this.config.retention === 'work-queue') {
      const claimed = this.unclaimed.filter((m) => subjectMatches(config.filter, m.subject));
      this.unclaimed.splice(0, this.unclaimed.length, ...this.unclaimed.filter((m) => !claimed.includes(m)));
      for (const message of claimed) {
        consumer.enqueue(message);
        this.journal?.remove(this.config.name, UNCLAIMED, message.seq);
      }
    }
    return consumer;
  }

  /** What is kept from `fromSeq` on (or nothing, from now), then every new message, in order. */
  follow(fromSeq: number | undefined, onMessage: (message: StoredMessage) => void): () => void {
    if (fromSeq !== undefined)
      for (const message of this.stored()) if (message.seq >= fromSeq) onMessage(message);
    this.followers.add(onMessage);
    return () => this.followers.delete(onMessage);
  }

  acknowledged(message: StoredMessage): void {
    if (this.config.retention !== 'work-queue') return;
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  stored(): StoredMessage[] {
    this.trim(Date.now());
    return [...this.messages];
  }

  private trim(now: number): void {
    if (this.config.retention !== 'limits') return;
    const oldest = now - this.config.maxAgeMs;
    let drop = Math.max(0, this.messages.length - LIMITS_CAP);
    while (drop < this.messages.length && this.messages[drop]!.time < oldest) drop++;
    if (drop > 0) this.messages.splice(0, drop);
  }
}

interface Responder {
  pattern: string;
  queue: string;
  answer: (subject: string, payload: Uint8Array) => Promise<QueryReply>;
}

/**
 * The message bus of one process, for the standalone mode where all services run together: streams
 * with work-queue or limits retention, dedupe by message id, durable consumers shared by the
 * replicas that subscribe to them (with ack wait, delayed naks and redelivery), and request/reply
 * with queue groups. Buses created on the same broker see each other's messages, as on one NATS.
 */
export class InProcessBroker {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly buckets = new Map<string, ObjectStore>();
  private readonly listeners = new Set<{
    pattern: string;
    onMessage: (subject: string, payload: Uint8Array) => void;
  }>();
  private readonly responders = new Set<Responder>();
  private readonly turns = new Map<string, number>();

  private readonly journal: BrokerJournal | undefined;

  /**
   * `objectsDir`: where the object store keeps its buckets (the standalone mode's artifact folder);
   * memory without it. `journalDir`: where unacknowledged stream messages are kept, so that a
   * broker started again on the same folder hands them back to their consumers (see
   * {@link BrokerJournal}); without it they live in memory only.
   */
  constructor(private readonly options: { objectsDir?: string; journalDir?: string } = {}) {
    this.journal = options.journalDir === undefined ? undefined : new BrokerJournal(options.journalDir);
  }

  /** A bucket of the process's object store, shared by every bus on this broker. */
  objects(bucket: string): ObjectStore {
    let store = this.buckets.get(bucket);
    if (!store) {
      checkBucket(bucket);
      store =
        this.options.objectsDir === undefined
          ? new MemoryObjectStore()
          : new FolderObjectStore(this.options.objectsDir, bucket);
      this.buckets.set(bucket, store);
    }
    return store;
  }

  /** Creates the stream, or keeps the existing one if its subjects agree. */
  addStream(config: StreamConfig): void {
    const existing = this.streams.get(config.name);
    if (existing) {
      if (existing.config.subjects !== config.subjects || existing.config.retention !== config.retention)
        throw new Error(`stream ${config.name} already exists with another configuration`);
      return;
    }
    for (const stream of this.streams.values())
      if (stream.config.subjects === config.subjects)
        throw new Error(`subjects ${config.subjects} already belong to the stream ${stream.config.name}`);
    this.streams.set(config.name, new MemoryStream(config, this.journal));
  }

  /** Stores a message on the stream that takes its subject; true when dropped as a duplicate. */
  publish(subject: string, payload: Uint8Array, messageId: string): boolean {
    for (const stream of this.streams.values())
      if (subjectMatches(stream.config.subjects, subject)) return stream.publish(subject, payload, messageId);
    throw new Error(`no stream takes the subject ${subject}`);
  }

  addConsumer(streamName: string, config: ConsumerConfig): void {
    this.stream(streamName).addConsumer(config);
  }

  /** Receives the consumer's messages, at most `concurrency` unacked at once; returns the unsubscribe. */
  consume(
    streamName: string,
    consumerName: string,
    concurrency: number,
    onDelivery: (delivery: Delivery) => void,
  ): () => void {
    const consumer = this.stream(streamName).consumers.get(consumerName);
    if (!consumer) throw new Error(`no consumer ${consumerName} on the stream ${streamName}`);
    return consumer.subscribe({ onDelivery, concurrency, active: 0 });
  }

  respond(
    pattern: string,
    queue: string,
    answer: (subject: string, payload: Uint8Array) => Promise<QueryReply>,
  ): () => void {
    const responder: Responder = { pattern, queue, answer };
    this.responders.add(responder);
    return () => this.responders.delete(responder);
  }

  /** Asks one responder of each queue group; the first reply wins, as with NATS request/reply. */
  request(subject: string, payload: Uint8Array, timeoutMs: number): Promise<QueryReply> {
    const groups = new Map<string, Responder[]>();
    for (const responder of this.responders)
      if (subjectMatches(responder.pattern, subject))
        groups.set(responder.queue, [...(groups.get(responder.queue) ?? []), responder]);
    if (groups.size === 0) return Promise.reject(new BrokerRequestError('no-responders'));
    return new Promise<QueryReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BrokerRequestError('timeout')), timeoutMs);
      const done = (reply: QueryReply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      for (const [queue, members] of groups) {
        const key = `${queue}\u0000${subject}`;
        const turn = this.turns.get(key) ?? 0;
        this.turns.set(key, turn + 1);
        const responder = members[turn % members.length]!;
        setImmediate(() => {
          responder.answer(subject, payload).then(done, (error: unknown) => {
            done({ ok: false, error: error instanceof Error ? error.message : String(error) });
          });
        });
      }
    });
  }

  /**
   * Reads a limits stream in order: the kept messages from `fromSeq` whose subject matches `filter`,
   * then new ones as they are stored (from now only, without `fromSeq`). Returns the unsubscribe.
   */
  follow(
    streamName: string,
    filter: string,
    fromSeq: number | undefined,
    onMessage: (message: StoredMessage) => void,
  ): () => void {
    return this.stream(streamName).follow(fromSeq, (message) => {
      if (subjectMatches(filter, message.subject)) onMessage(message);
    });
  }

  /** Core publish: every listener whose pattern matches gets it now; nothing is stored. */
  broadcast(subject: string, payload: Uint8Array): void {
    for (const listener of [...this.listeners])
      if (subjectMatches(listener.pattern, subject)) listener.onMessage(subject, payload);
  }

  listen(pattern: string, onMessage: (subject: string, payload: Uint8Array) => void): () => void {
    const listener = { pattern, onMessage };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What a stream holds: limits streams keep their messages, work queues until acked. */
  messages(streamName: string): StoredMessage[] {
    return this.stream(streamName).stored();
  }

  consumers(streamName: string): ConsumerState[] {
    return [...this.stream(streamName).consumers.values()].map((consumer) => consumer.state());
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  private stream(name: string): MemoryStream {
    const stream = this.streams.get(name);
    if (!stream) throw new Error(`no stream ${name}`);
    return stream;
  }
}
