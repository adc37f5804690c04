import {
  EnvelopeSchema,
  LogLine,
  SUBJECT_ROOT,
  canonicalFromRoot,
  envelopeFor,
  logSubject,
  subjectUnderRoot,
  type AnyContract,
  type DataOf,
  type Envelope,
  type EnvelopeMeta,
  type MessageContract,
  type QueryContract,
  type ReplyOf,
} from '@aviary/events';
import { currentContext } from '@aviary/observability';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { z } from 'zod';
import { decodeText, encodeJson } from './codec.js';
import { Channel } from './feeds/channel.js';
import {
  type Feed,
  type RawMessage,
  type StreamedEvent,
  type SubscribeEventsOptions,
} from './feeds/feeds.js';
import { QueryError } from './errors.js';
import { type BusLink } from './link.js';
import { type ObjectStore } from './objects/object-store.js';
import { type BusSettings } from './options.js';

function parseJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(decodeText(payload));
  } catch {
    return undefined;
  }
}

function isContract(value: unknown): value is AnyContract {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyContract).subject === 'string' &&
    typeof (value as AnyContract).type === 'string' &&
    typeof (value as AnyContract).schema === 'object'
  );
}

/**
 * Publishes commands and events and sends queries. Every message is validated against its contract
 * before it leaves; inside a handler, what is published inherits the handled message's
 * `correlationid` and names it as `causationid`.
 *
 * Besides its own typed methods it speaks Nest's `ClientProxy` idiom: `client.emit(subject, data)`
 * for commands and events, `client.send(subject, data)` for queries (a subject or a contract as the
 * pattern). `emit` is hot and reports failures only to a subscriber, so prefer `await publish(...)`.
 */
export abstract class BusClient extends ClientProxy {
  protected constructor(
    protected readonly settings: BusSettings,
    private readonly link: BusLink,
  ) {
    super();
  }

  /**
   * Validates `data` (a ZodError names the failing field), wraps it in an envelope and stores it on
   * the stream with `Nats-Msg-Id` = envelope id: repeating a publish with the same `meta.id` inside
   * the dedupe window delivers it once.
   */
  override publish<C extends MessageContract>(
    contract: C,
    data: DataOf<C>,
    meta?: Partial<EnvelopeMeta>,
  ): Promise<Envelope<DataOf<C>>>;
  /** Nest's request path behind `client.send()`; only queries have replies. */
  override publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void;
  override publish(
    target: MessageContract | ReadPacket,
    second: unknown,
    meta?: Partial<EnvelopeMeta>,
  ): Promise<Envelope> | (() => void) {
    if (typeof second === 'function') return this.sendPacket(target as ReadPacket, second as never);
    return this.publishMessage(target as MessageContract, second, meta);
  }

  /**
   * Publishes an envelope built earlier (the transactional outbox), on its canonical subject. It is
   * validated again and deduplicated by its id, so relaying it twice delivers it once.
   */
  async publishEnvelope(subject: string, envelope: Envelope): Promise<void> {
    const parsed = EnvelopeSchema.parse(envelope);
    const contract = this.settings.registry.byEnvelopeType(parsed.type);
    if (!contract || contract.kind === 'query')
      throw new Error(`no command or event contract has the type "${parsed.type}"`);
    if (contract.subject !== subject)
      throw new Error(`an envelope of type ${parsed.type} belongs on ${contract.subject}, not ${subject}`);
    contract.schema.parse(parsed.data);
    await this.store(subject, envelope, undefined);
  }

  /**
   * Asks the service that answers `contract` and returns its validated reply. Rejects with a
   * {@link QueryError}: `no responder for <subject>`, `timed out after Nms waiting for <subject>`, or
   * the message of the error the handler threw.
   */
  async query<Q extends QueryContract>(
    contract: Q,
    data: DataOf<Q>,
    options: { timeoutMs?: number } = {},
  ): Promise<ReplyOf<Q>> {
    const envelope = envelopeFor(contract, data, this.meta());
    const timeoutMs = options.timeoutMs ?? this.settings.queryTimeoutMs;
    const reply = await this.link.request(
      subjectUnderRoot(contract.subject, this.settings.subjectRoot),
      encodeJson(envelope),
      timeoutMs,
      contract.subject,
    );
    if (!reply.ok) throw new QueryError('handler-failed', contract.subject, reply.error);
    return this.readReply(contract, reply.payload);
  }

  /**
   * Follows the events stream: the events whose canonical subject matches `pattern` (wildcards
   * allowed), from `fromSequence` (replaying what the stream still keeps) or from now, each with its
   * stream sequence so that a reader can resume after it (SSE `Last-Event-ID`). Messages that are
   * not valid envelopes of a known event are skipped. Rejects when the bus is not usable in time.
   */
  async subscribeEvents(pattern: string, options: SubscribeEventsOptions = {}): Promise<Feed<StreamedEvent>> {
    if (!pattern.startsWith(`${SUBJECT_ROOT}.evt.`))
      throw new Error(`subscribeEvents takes an event pattern (aviary.evt...), not "${pattern}"`);
    const raw = await this.link.follow(
      subjectUnderRoot(pattern, this.settings.subjectRoot),
      options.fromSequence,
    );
    return this.mapFeed(raw, (message) => {
      const envelope = this.readEvent(message);
      if (!envelope || message.sequence === undefined) return undefined;
      return {
        sequence: message.sequence,
        subject: canonicalFromRoot(message.subject, this.settings.subjectRoot),
        envelope,
      };
    });
  }

  /** Live log lines of one execution (all its stages, or one stage); invalid lines are skipped. */
  async subscribeLogs(executionId: string, stageId?: string): Promise<Feed<LogLine>> {
    const subject = logSubject(executionId, stageId ?? '*');
    const raw = await this.link.listen(subjectUnderRoot(subject, this.settings.subjectRoot));
    return this.mapFeed(raw, (message) => {
      const line = LogLine.safeParse(parseJson(message.payload));
      return line.success ? line.data : undefined;
    });
  }

  /** Publishes a log line on core NATS (`aviary.log.<executionId>.<stageId>`): fast, not stored. */
  async publishLog(line: LogLine): Promise<void> {
    const valid = LogLine.parse(line);
    await this.link.broadcast(
      subjectUnderRoot(logSubject(valid.executionId, valid.stageId), this.settings.subjectRoot),
      encodeJson(valid),
    );
  }

  /**
   * A bucket of the installation's object store (logs, reports, packaged builds): the JetStream
   * object store `<prefix>_<bucket>`, or the in-process broker's folder or memory. Every service of
   * the installation sees the same objects.
   */
  objects(bucket: string): ObjectStore {
    return this.link.objects(bucket);
  }

  /** Resolves at once: the bus connects in the background and publishes wait for it (bounded). */
  override connect(): Promise<void> {
    return Promise.resolve();
  }

  /** The connection belongs to the {@link Bus}: `bus.close()` (or the server's close) ends it. */
  override close(): void {}

  protected override async dispatchEvent<T = Envelope>(packet: ReadPacket): Promise<T> {
    const contract = this.contractFor(packet.pattern);
    if (contract.kind === 'query')
      throw new Error(`${contract.subject} is a query: use client.send() or client.query()`);
    return (await this.publishMessage(contract, packet.data)) as T;
  }

  private sendPacket(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let active = true;
    const ask = async () => {
      const contract = this.contractFor(packet.pattern);
      if (contract.kind !== 'query')
        throw new Error(`${contract.subject} is not a query: use client.emit() or client.publish()`);
      return this.query(contract, packet.data as never);
    };
    ask().then(
      (response) => active && callback({ response, isDisposed: true }),
      (err: unknown) => active && callback({ err }),
    );
    return () => {
      active = false;
    };
  }

  /** Not async: the bytes reach the transport in the caller's turn, before other queued work. */
  private publishMessage(
    contract: MessageContract,
    data: unknown,
    meta?: Partial<EnvelopeMeta>,
  ): Promise<Envelope> {
    let envelope: Envelope;
    try {
      if ((contract as AnyContract).kind === 'query')
        throw new Error(`${contract.subject} is a query: use client.query()`);
      envelope = envelopeFor(contract, data, this.meta(meta));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.store(contract.subject, envelope, envelope);
  }

  private store<T>(subject: string, envelope: Envelope, result: T): Promise<T> {
    return this.link
      .transmit(subjectUnderRoot(subject, this.settings.subjectRoot), encodeJson(envelope), envelope.id)
      .then(({ duplicate }) => {
        this.settings.metrics.messagePublished(subject, duplicate);
        return result;
      });
  }

  private meta(meta: Partial<EnvelopeMeta> = {}): EnvelopeMeta {
    const context = currentContext();
    return {
      ...meta,
      source: meta.source ?? this.settings.source,
      correlationid: meta.correlationid ?? context?.correlationid,
      causationid: meta.causationid ?? context?.envelopeId,
    };
  }

  private contractFor(pattern: unknown): AnyContract {
    if (isContract(pattern)) return pattern;
    if (typeof pattern !== 'string') throw new Error('a bus pattern is a canonical subject or a contract');
    const contract = this.settings.registry.bySubjectName(pattern);
    if (!contract) throw new Error(`no contract is registered for the subject "${pattern}"`);
    return contract;
  }

  private mapFeed<T>(raw: Feed<RawMessage>, map: (message: RawMessage) => T | undefined): Feed<T> {
    const channel = new Channel<T>(() => raw.close());
    void (async () => {
      try {
        for await (const message of raw) {
          const value = map(message);
          if (value !== undefined) channel.push(value);
        }
        channel.close();
      } catch (error) {
        channel.fail(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    return channel;
  }

  /** The envelope of a known event with valid data, or undefined (logged) for anything else. */
  private readEvent(message: RawMessage): Envelope | undefined {
    const envelope = EnvelopeSchema.safeParse(parseJson(message.payload));
    const contract = envelope.success ? this.settings.registry.byEnvelopeType(envelope.data.type) : undefined;
    if (
      !envelope.success ||
      !contract ||
      contract.kind !== 'event' ||
      !contract.schema.safeParse(envelope.data.data).success
    ) {
      this.settings.logger.debug(
        { subject: message.subject, sequence: message.sequence },
        'skipped an unreadable event',
      );
      return undefined;
    }
    return envelope.data;
  }

  private readReply<Q extends QueryContract>(contract: Q, payload: Uint8Array): ReplyOf<Q> {
    const invalid = (why: string) =>
      new QueryError('invalid-reply', contract.subject, `invalid reply to ${contract.subject}: ${why}`);
    let raw: unknown;
    try {
      raw = JSON.parse(decodeText(payload));
    } catch (error) {
      throw invalid(`not JSON (${(error as Error).message})`);
    }
    const envelope = EnvelopeSchema.safeParse(raw);
    if (!envelope.success) throw invalid(z.prettifyError(envelope.error));
    if (envelope.data.type !== contract.replyType)
      throw invalid(`type ${envelope.data.type}, expected ${contract.replyType}`);
    const reply = contract.replySchema.safeParse(envelope.data.data);
    if (!reply.success) throw invalid(z.prettifyError(reply.error));
    return reply.data as ReplyOf<Q>;
  }
}
