import { EnvelopeSchema, subjectUnderRoot, type DeadLetter, type Envelope } from '@aviary/events';
import { deleteStreams, natsUrlForTests, uniqueBusNames } from '@aviary/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type Bus } from '../bus.js';
import { InProcessBroker } from '../in-process/broker.js';
import { createInProcessBus } from '../in-process/in-process-bus.js';
import { createJetStreamBus } from '../jetstream/jetstream-bus.js';
import { streamNames, type BusOptions } from '../options.js';
import { testRegistry } from './contracts.js';

export type TestBusOptions = Partial<
  Omit<BusOptions, 'service' | 'servers' | 'subjectRoot' | 'streamPrefix'>
>;

/** One test's isolated view of a transport: its own subject root and streams. */
export interface TransportUnderTest {
  /** A bus for `service`, with short retry delays and its own metrics registry. */
  bus(service: string, options?: TestBusOptions): Bus;
  /** Puts bytes on a canonical subject, bypassing every check of the client. */
  publishRaw(subject: string, payload: string): Promise<void>;
  deadLetters(): Promise<Array<Envelope<DeadLetter>>>;
  /** True when no consumer has a message waiting, delayed or unacknowledged. */
  settled(): Promise<boolean>;
  dispose(): Promise<void>;
}

export interface TransportFactory {
  name: string;
  create(): Promise<TransportUnderTest>;
}

export const silentLogger = pino({ level: 'silent' });

function defaults(service: string, options: TestBusOptions): Omit<BusOptions, 'servers'> {
  return {
    service,
    maxDeliver: 3,
    backoffMs: [50, 100],
    ackWaitMs: 2000,
    registry: testRegistry(),
    metrics: new Registry(),
    logger: silentLogger,
    shutdownTimeoutMs: 5000,
    ...options,
  };
}

function readDeadLetter(payload: string): Envelope<DeadLetter> {
  return EnvelopeSchema.parse(JSON.parse(payload)) as Envelope<DeadLetter>;
}

/** The in-process transport; with `objectsDir`, its object store keeps buckets in that folder. */
export function inProcessTransportWith(options: { objectsDir?: string } = {}): TransportFactory {
  return {
    name: options.objectsDir === undefined ? 'in-process' : 'in-process, objects in a folder',
    create() {
      const broker = new InProcessBroker(options);
      const names = uniqueBusNames();
      const streams = streamNames(names.streamPrefix);
      const buses: Bus[] = [];
      const decoder = new TextDecoder();
      return Promise.resolve({
        bus(service, options = {}) {
          const bus = createInProcessBus(broker, { ...defaults(service, options), ...names });
          buses.push(bus);
          return bus;
        },
        publishRaw(subject, payload) {
          broker.publish(
            subjectUnderRoot(subject, names.subjectRoot),
            new TextEncoder().encode(payload),
            randomUUID(),
          );
          return Promise.resolve();
        },
        deadLetters() {
          if (!broker.streamNames().includes(streams.deadLetter)) return Promise.resolve([]);
          return Promise.resolve(
            broker.messages(streams.deadLetter).map((m) => readDeadLetter(decoder.decode(m.payload))),
          );
        },
        settled() {
          const consumers = [streams.command, streams.event]
            .filter((stream) => broker.streamNames().includes(stream))
            .flatMap((stream) => broker.consumers(stream));
          return Promise.resolve(consumers.every((c) => c.pending === 0 && c.ackPending === 0));
        },
        async dispose() {
          await Promise.all(buses.map((bus) => bus.close()));
          if (options.objectsDir) rmSync(options.objectsDir, { recursive: true, force: true });
        },
      });
    },
  };
}

export const inProcessTransport = inProcessTransportWith();

async function consumersSettled(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    for await (const info of jsm.consumers.list(stream))
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
  } catch {
    return true;
  }
  return true;
}

export function jetStreamTransport(servers?: () => string): TransportFactory {
  return {
    name: 'JetStream',
    async create() {
      const url = servers?.() ?? (await natsUrlForTests());
      const names = uniqueBusNames();
      const streams = streamNames(names.streamPrefix);
      const nc: NatsConnection = await connect({ servers: url });
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const buses: Bus[] = [];
      return {
        bus(service, options = {}) {
          const bus = createJetStreamBus({ ...defaults(service, options), ...names, servers: url });
          buses.push(bus);
          return bus;
        },
        async publishRaw(subject, payload) {
          await js.publish(subjectUnderRoot(subject, names.subjectRoot), payload, { msgID: randomUUID() });
        },
        async deadLetters() {
          let last: number;
          try {
            last = (await jsm.streams.info(streams.deadLetter)).state.last_seq;
          } catch {
            return [];
          }
          const letters: Array<Envelope<DeadLetter>> = [];
          for (let seq = 1; seq <= last; seq++) {
            const message = await jsm.streams.getMessage(streams.deadLetter, { seq });
            if (message) letters.push(readDeadLetter(message.string()));
          }
          return letters;
        },
        async settled() {
          return (
            (await consumersSettled(jsm, streams.command)) && (await consumersSettled(jsm, streams.event))
          );
        },
        async dispose() {
          await Promise.all(buses.map((bus) => bus.close()));
          await nc.close();
          await deleteStreams(url, names.streamPrefix);
        },
      };
    },
  };
}
