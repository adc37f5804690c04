import { type Envelope, type LogLine } from '@aviary/events';

/** A stream a reader follows until it closes it (or the bus closes, which ends it). */
export interface Feed<T> extends AsyncIterable<T> {
  /** Stops the subscription; a `for await` over it ends. Idempotent. */
  close(): void;
}

/** An event read back from the events stream, with the stream sequence that names its position. */
export interface StreamedEvent {
  /** Stream sequence: resume after it with `subscribeEvents(pattern, { fromSequence: sequence + 1 })`. */
  sequence: number;
  /** Canonical subject (rooted at `aviary`). */
  subject: string;
  envelope: Envelope;
}

export interface SubscribeEventsOptions {
  /**
   * First stream sequence to deliver; earlier messages still kept by the stream are replayed
   * before new ones. Without it, only events published from now on.
   */
  fromSequence?: number;
}

export type { LogLine };

/** A raw message of a transport: what the client decodes and validates. */
export interface RawMessage {
  subject: string;
  payload: Uint8Array;
  /** Stream sequence; absent for core (non-stream) messages. */
  sequence?: number;
}
