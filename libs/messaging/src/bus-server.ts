import {
  DEAD_LETTER_TYPE,
  DeadLetter,
  EnvelopeSchema,
  buildEnvelope,
  canonicalFromRoot,
  deadLetterSubject,
  subjectUnderRoot,
  type AnyContract,
  type Envelope,
  type MessageKind,
  type QueryContract,
} from '@aviary/events';
import { runInContext } from '@aviary/observability';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { BusContext } from './bus-context.js';
import { decodeText, encodeJson } from './codec.js';
import { errorMessage } from './errors.js';
import { type BusLink, type Delivery, type QueryReply } from './link.js';
import { backoffDelay, type BusSettings } from './options.js';
import { consumerName, kindOfPattern } from './patterns.js';

/** Handlers declared with `@EventPattern(..., BUS_TRANSPORT)` are served by this transport only. */
export const BUS_TRANSPORT: unique symbol = Symbol.for('aviary.bus');

export type BusStatus = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** One handler pattern of this service and where its messages come from. */
export interface Binding {
  /** Canonical pattern, as written in `@EventPattern`. */
  pattern: string;
  kind: MessageKind;
  /** The pattern under the subject root, as subscribed on the wire. */
  subject: string;
  /** Durable consumer name (commands, events) or queue group (queries). */
  consumer: string;
  /** Stream the consumer reads (undefined for queries). */
  stream: string | undefined;
  handler: MessageHandler;
}

type DeadLetterReason = DeadLetter['reason'];

type Decoded =
  | { ok: true; envelope: Envelope; contract: AnyContract; data: unknown }
  | { ok: false; reason: DeadLetterReason; error: string; envelope?: Envelope };

/**
 * A message whose handler is running. The server redelivers it when a keep-alive came too late (an
 * event loop stalled past the ack wait); the redelivery is adopted rather than run a second time.
 * Keep-alives go to the newest delivery, the one the server now waits on; the outcome goes to every
 * delivery, newest first, so that a transport counting busy slots per delivery frees each of them.
 */
class RunningDelivery implements Delivery {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly deliveries: number;
  readonly id: string;
  private readonly received: Delivery[];
  /** When the server last heard that the handler is still working. */
  touchedAt = Date.now();

  constructor(first: Delivery) {
    this.subject = first.subject;
    this.payload = first.payload;
    this.deliveries = first.deliveries;
    this.id = first.id;
    this.received = [first];
  }

  adopt(redelivery: Delivery): void {
    this.received.unshift(redelivery);
    this.working();
  }

  ack(): void {
    for (const delivery of this.received) delivery.ack();
  }

  nak(delayMs: number): void {
    for (const delivery of this.received) delivery.nak(delayMs);
  }

  term(reason: string): void {
    for (const delivery of this.received) delivery.term(reason);
  }

  working(): void {
    this.received[0]!.working();
    this.touchedAt = Date.now();
  }
}

/**
 * The transport-neutral half of the Nest transport strategy: validates what arrives, runs the
 * handler inside the message's correlation context, and turns the outcome into ack, delayed nak or
 * dead letter. Subclasses only move bytes.
 */
export abstract class BusServer extends Server implements CustomTransportStrategy {
  /** Handler failures come back to the transport (which retries them) rather than Nest's logger. */
  override readonly propagatesEventHandlerErrors = true;
  protected stopping = false;
  /** Every handler running, messages and queries: what close() waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The messages being handled, by id: kept alive, and a redelivery of one is not run again. */
  private readonly running = new Map<string, RunningDelivery>();
  private ticker: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  protected constructor(
    protected readonly settings: BusSettings,
    private readonly transmit: BusLink['transmit'],
  ) {
    super();
    this.transportId = BUS_TRANSPORT;
  }

  /** Returns at once: consumers start in the background, so a bus that is down never blocks start-up. */
  override listen(callback: (error?: unknown) => void): void {
    let bindings: Binding[];
    try {
      bindings = this.bind();
    } catch (error) {
      callback(error);
      return;
    }
    // A tick every quarter ack wait, and a keep-alive at every tick for what has not had one for half
    // a tick: a handler's message goes at most 3/8 of the ack wait without one, leaving the rest for
    // a busy event loop.
    const period = Math.max(25, Math.floor(this.settings.ackWaitMs / 4));
    this.ticker = setInterval(() => this.keepAlive(period), period).unref();
    this.start(bindings);
    callback();
  }

  /**
   * Stops taking messages, lets in-flight handlers finish and ack (at most `shutdownTimeoutMs`),
   * then closes the connection. Nest calls it on shutdown; `bus.close()` calls it too.
   */
  override close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  override on(): never {
    throw new Error('the bus transport emits no events: read bus.health() or server.status');
  }

  abstract override unwrap<T>(): T;

  protected setStatus(status: BusStatus): void {
    this._status$.next(status);
  }

  /** Starts consuming for these bindings (in the background). */
  protected abstract start(bindings: Binding[]): void;
  /** Stops pulling new messages and answering queries. */
  protected abstract stopIntake(): Promise<void>;
  /** Closes the connection once in-flight work is done. */
  protected abstract disconnect(): Promise<void>;

  /** Never rejects: callers fire and forget, and an unhandled rejection would end the process. */
  protected handleDelivery(binding: Binding, delivery: Delivery): Promise<void> {
    const running = this.running.get(delivery.id);
    if (running) {
      running.adopt(delivery);
      this.settings.logger.warn(
        { subject: delivery.subject, deliveries: delivery.deliveries },
        'a message came again while its handler still runs (a keep-alive was late); it is not run twice',
      );
      return Promise.resolve();
    }
    const attempt = new RunningDelivery(delivery);
    this.running.set(attempt.id, attempt);
    return this.track(() => this.process(binding, attempt))
      .catch((error: unknown) => {
        this.settings.logger.error(
          { subject: delivery.subject, error: errorMessage(error) },
          'delivery failed',
        );
      })
      .finally(() => this.running.delete(attempt.id));
  }

  /** Never rejects, as {@link handleDelivery}: whatever goes wrong becomes an error reply. */
  protected answerQuery(binding: Binding, subject: string, payload: Uint8Array): Promise<QueryReply> {
    return this.track(() => this.answer(binding, subject, payload)).catch((error: unknown): QueryReply => ({
      ok: false,
      error: errorMessage(error),
    }));
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    const done = work();
    const settled = done.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return done;
  }

  private keepAlive(period: number): void {
    const now = Date.now();
    for (const delivery of this.running.values())
      if (now - delivery.touchedAt >= period / 2) delivery.working();
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    await this.stopIntake();
    await this.settle();
    clearInterval(this.ticker);
    await this.disconnect();
    this.setStatus('closed');
  }

  private async settle(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const { shutdownTimeoutMs } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.inFlight).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished)
      this.settings.logger.warn(
        { running: this.inFlight.size },
        `handlers still running after ${shutdownTimeoutMs}ms; closing anyway (their messages will be redelivered)`,
      );
  }

  private bind(): Binding[] {
    const { subjectRoot, service, streams } = this.settings;
    return [...this.messageHandlers].map(([pattern, handler]) => {
      const kind = kindOfPattern(pattern);
      if (kind === 'query' && handler.isEventHandler)
        throw new Error(`${pattern} carries queries: handle them with @MessagePattern`);
      if (kind !== 'query' && !handler.isEventHandler)
        throw new Error(`${pattern} carries ${kind}s, which have no reply: handle them with @EventPattern`);
      return {
        pattern,
        kind,
        handler,
        subject: subjectUnderRoot(pattern, subjectRoot),
        consumer: kind === 'query' ? service : consumerName(service, pattern),
        stream: kind === 'command' ? streams.command : kind === 'event' ? streams.event : undefined,
      };
    });
  }

  private async process(binding: Binding, delivery: Delivery): Promise<void> {
    const { metrics, logger, maxDeliver, backoffMs } = this.settings;
    const subject = canonicalFromRoot(delivery.subject, this.settings.subjectRoot);
    metrics.messageReceived(subject);
    const decoded = this.decode(subject, delivery.payload);
    if (!decoded.ok)
      return this.deadLetter(binding, delivery, subject, decoded.reason, decoded.error, decoded.envelope);
    const { envelope, data } = decoded;
    if (delivery.deliveries > maxDeliver) {
      const error = `no outcome after ${delivery.deliveries - 1} deliveries: the handler crashed or outlived the ack wait`;
      return this.deadLetter(binding, delivery, subject, 'handler-failed', error, envelope);
    }
    const started = performance.now();
    try {
      await this.runHandler(binding, envelope, data, subject, delivery.deliveries);
    } catch (error) {
      metrics.handlerFailed(subject, (performance.now() - started) / 1000);
      const message = errorMessage(error);
      if (delivery.deliveries >= maxDeliver)
        return this.deadLetter(binding, delivery, subject, 'handler-failed', message, envelope);
      const delayMs = backoffDelay(backoffMs, delivery.deliveries);
      logger.warn(
        { subject, envelopeId: envelope.id, deliveries: delivery.deliveries, delayMs, error: message },
        'handler failed; the message will be redelivered',
      );
      delivery.nak(delayMs);
      return;
    }
    delivery.ack();
    metrics.messageHandled(subject, (performance.now() - started) / 1000);
  }

  private async answer(binding: Binding, wireSubject: string, payload: Uint8Array): Promise<QueryReply> {
    const { metrics, logger, source } = this.settings;
    const subject = canonicalFromRoot(wireSubject, this.settings.subjectRoot);
    metrics.messageReceived(subject);
    const decoded = this.decode(subject, payload);
    if (!decoded.ok) {
      logger.warn({ subject, reason: decoded.reason, error: decoded.error }, 'rejected an invalid query');
      return { ok: false, error: `${decoded.reason}: ${decoded.error}` };
    }
    const { envelope, data } = decoded;
    const contract = decoded.contract as QueryContract;
    const started = performance.now();
    try {
      const result = await this.runHandler(binding, envelope, data, subject, 1);
      const reply = contract.replySchema.safeParse(result);
      if (!reply.success)
        throw new Error(
          `the handler's reply is not a valid ${contract.replyType}: ${z.prettifyError(reply.error)}`,
        );
      metrics.messageHandled(subject, (performance.now() - started) / 1000);
      const replyEnvelope = buildEnvelope(contract.replyType, reply.data, {
        source,
        correlationid: envelope.correlationid,
        causationid: envelope.id,
      });
      return { ok: true, payload: encodeJson(replyEnvelope) };
    } catch (error) {
      metrics.handlerFailed(subject, (performance.now() - started) / 1000);
      const message = errorMessage(error);
      logger.warn({ subject, envelopeId: envelope.id, error: message }, 'query handler failed');
      return { ok: false, error: message };
    }
  }

  private runHandler(
    binding: Binding,
    envelope: Envelope,
    data: unknown,
    subject: string,
    deliveries: number,
  ): Promise<unknown> {
    const context = new BusContext([envelope, subject, deliveries]);
    return runInContext({ correlationid: envelope.correlationid, envelopeId: envelope.id, subject }, () =>
      binding.handler(data, context),
    ).then((result: unknown) =>
      isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result,
    );
  }

  private decode(subject: string, payload: Uint8Array): Decoded {
    let raw: unknown;
    try {
      raw = JSON.parse(decodeText(payload));
    } catch (error) {
      return { ok: false, reason: 'invalid-envelope', error: `not JSON: ${errorMessage(error)}` };
    }
    const parsed = EnvelopeSchema.safeParse(raw);
    if (!parsed.success)
      return { ok: false, reason: 'invalid-envelope', error: z.prettifyError(parsed.error) };
    const envelope = parsed.data;
    const contract = this.settings.registry.byEnvelopeType(envelope.type);
    if (!contract)
      return {
        ok: false,
        reason: 'unknown-type',
        error: `no contract has the type "${envelope.type}"`,
        envelope,
      };
    if (contract.subject !== subject) {
      const error = `type ${envelope.type} belongs on ${contract.subject}, not ${subject}`;
      return { ok: false, reason: 'invalid-envelope', error, envelope };
    }
    const data = contract.schema.safeParse(envelope.data);
    if (!data.success)
      return { ok: false, reason: 'invalid-data', error: z.prettifyError(data.error), envelope };
    return { ok: true, envelope, contract, data: data.data };
  }

  /**
   * Keeps the message on the dead-letter stream, then terminates it. If the dead letter cannot be
   * stored, the message is retried later instead, so nothing is dropped.
   */
  private async deadLetter(
    binding: Binding,
    delivery: Delivery,
    subject: string,
    reason: DeadLetterReason,
    error: string,
    envelope: Envelope | undefined,
  ): Promise<void> {
    const { source, subjectRoot, logger, metrics, backoffMs } = this.settings;
    const letter = DeadLetter.parse({
      subject,
      reason,
      error,
      deliveries: delivery.deliveries,
      consumer: binding.consumer,
      payload: decodeText(delivery.payload),
      failedAt: new Date().toISOString(),
    });
    const deadEnvelope = buildEnvelope(DEAD_LETTER_TYPE, letter, {
      id: `dlq:${delivery.id}`,
      source,
      correlationid: envelope?.correlationid,
      causationid: envelope?.id,
    });
    try {
      await this.transmit(
        subjectUnderRoot(deadLetterSubject(subject), subjectRoot),
        encodeJson(deadEnvelope),
        deadEnvelope.id,
      );
    } catch (publishError) {
      logger.error(
        { subject, reason, error: errorMessage(publishError) },
        'could not store a dead letter; the message will be redelivered',
      );
      delivery.nak(backoffDelay(backoffMs, delivery.deliveries));
      return;
    }
    delivery.term(`${reason}: ${error}`);
    metrics.messageDeadLettered(subject, reason);
    logger.error(
      { subject, reason, error, deliveries: delivery.deliveries, envelopeId: envelope?.id },
      'message dead-lettered',
    );
  }
}
