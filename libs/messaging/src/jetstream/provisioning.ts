import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { type Binding } from '../bus-server.js';
import { type BusSettings } from '../options.js';

type DesiredStream = Pick<
  StreamConfig,
  'name' | 'subjects' | 'retention' | 'storage' | 'duplicate_window' | 'max_age'
>;

export function desiredStreams(settings: BusSettings): DesiredStream[] {
  const { streams, subjectRoot, duplicateWindowMs, retentionMs } = settings;
  const common = { storage: StorageType.File, duplicate_window: nanos(duplicateWindowMs) };
  return [
    // Work queue: a command is removed once acked, and each is taken by one consumer.
    {
      ...common,
      name: streams.command,
      subjects: [`${subjectRoot}.cmd.>`],
      retention: RetentionPolicy.Workqueue,
      max_age: 0,
    },
    // Limits: events stay for replay (late subscribers, SSE resume) until they age out.
    {
      ...common,
      name: streams.event,
      subjects: [`${subjectRoot}.evt.>`],
      retention: RetentionPolicy.Limits,
      max_age: nanos(retentionMs),
    },
    {
      ...common,
      name: streams.deadLetter,
      subjects: [`${subjectRoot}.dlq.>`],
      retention: RetentionPolicy.Limits,
      max_age: nanos(retentionMs),
    },
  ];
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** Creates the stream, or updates what may change on an existing one; idempotent, safe to race. */
export async function ensureStream(jsm: JetStreamManager, desired: DesiredStream): Promise<void> {
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(desired.name)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(desired);
      return;
    } catch (addError) {
      // Another replica may have created it between our lookup and our add: then compare.
      try {
        existing = (await jsm.streams.info(desired.name)).config;
      } catch {
        throw addError;
      }
    }
  }
  if (existing.retention !== desired.retention)
    throw new Error(
      `stream ${desired.name} exists with ${existing.retention} retention, expected ${desired.retention}; delete it to let the bus recreate it`,
    );
  const same =
    existing.subjects.join() === desired.subjects.join() &&
    existing.duplicate_window === desired.duplicate_window &&
    existing.max_age === desired.max_age;
  if (!same) await jsm.streams.update(desired.name, { ...existing, ...desired });
}

export function consumerConfig(binding: Binding, settings: BusSettings): Partial<ConsumerConfig> {
  return {
    durable_name: binding.consumer,
    ack_policy: AckPolicy.Explicit,
    filter_subject: binding.subject,
    ack_wait: nanos(settings.ackWaitMs),
    // The transport counts deliveries and dead-letters; the server must keep redelivering until it does.
    max_deliver: -1,
    // Commands wait in the work queue for their worker; a new event subscriber starts with new events.
    deliver_policy: binding.kind === 'event' ? DeliverPolicy.New : DeliverPolicy.All,
    max_ack_pending: Math.max(1000, settings.concurrency * 64),
  };
}

/**
 * Creates the durable consumer or updates it. On NATS 2.9 `add` with an existing durable name
 * updates the fields that may change and fails on the others (filter, deliver policy).
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  binding: Binding,
  settings: BusSettings,
): Promise<void> {
  const stream = binding.stream!;
  try {
    await jsm.consumers.add(stream, consumerConfig(binding, settings));
  } catch (error) {
    throw new Error(
      `cannot create the consumer ${binding.consumer} on ${stream}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
