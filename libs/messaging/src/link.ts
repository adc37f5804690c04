import { type Feed, type RawMessage } from './feeds/feeds.js';
import { type ObjectStore } from './objects/object-store.js';

/**
 * The seam between the transport-neutral client and server (validation, envelopes, handler
 * dispatch, retries) and a transport (JetStream or the in-process broker).
 */

/** One delivery of a stream message to this process. */
export interface Delivery {
  /** Subject as on the wire (under the subject root). */
  readonly subject: string;
  readonly payload: Uint8Array;
  /** 1 on the first delivery. */
  readonly deliveries: number;
  /** Names the stored message for this consumer, the same on every redelivery. */
  readonly id: string;
  ack(): void;
  nak(delayMs: number): void;
  term(reason: string): void;
  /** Tells the server the handler is still working, so the ack wait starts again. */
  working(): void;
}

export type QueryReply = { ok: true; payload: Uint8Array } | { ok: false; error: string };

export interface BusLink {
  /** Stores a message on its stream; `duplicate` when the stream dropped it (its id was seen). */
  transmit(subject: string, payload: Uint8Array, messageId: string): Promise<{ duplicate: boolean }>;
  /** Sends a query; rejects with a {@link QueryError} when nobody answers in time. */
  request(
    subject: string,
    payload: Uint8Array,
    timeoutMs: number,
    canonicalSubject: string,
  ): Promise<QueryReply>;
  /**
   * Reads the events stream in order, filtered by `subject` (a pattern under the root), from the
   * given stream sequence or from now; nothing is acknowledged and nothing is left behind on close.
   */
  follow(subject: string, fromSequence: number | undefined): Promise<Feed<RawMessage>>;
  /** Subscribes to a core (not stored) subject, such as log lines. */
  listen(subject: string): Promise<Feed<RawMessage>>;
  /** Publishes on a core subject, fire and forget. */
  broadcast(subject: string, payload: Uint8Array): Promise<void>;
  /** A bucket of the object store that goes with the transport. */
  objects(bucket: string): ObjectStore;
}
