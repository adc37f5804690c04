import 'reflect-metadata';
import { buildEnvelope, StageCommands, type StageCommandData } from '@aviary/events';
import { createJetStreamBus } from '@aviary/messaging';
import { deleteStreams, natsUrlForTests, uniqueBusNames } from '@aviary/test-support';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';

/**
 * `npm run bench -- bus [--messages=N]`: commands of ~500 bytes through the JetStream transport
 * (client publish -> durable pull consumer -> Nest handler -> ack) beside raw @nats-io/jetstream
 * (publish -> consume -> ack) on the same server, same payload, same pattern. Latency is from the
 * start of the publish to the moment the handler (or the raw consume loop) sees the message.
 */

const TARGET_BYTES = 500;
const WARMUP = 1000;
const ROUNDS = 10;
const WINDOW = 16;
const GOAL_RATIO = 1.5;
const command = StageCommands.builder.run;

interface Figures {
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

/**
 * Tells each waiting publish when its message reached the handler. The waiting side resumes on the
 * next turn of the event loop, once the handler has returned and its message is acked: "sequential"
 * means the next publish starts after the previous message is handled, on both sides alike.
 */
class Probe {
  private readonly waiting = new Map<number, (at: number) => void>();

  expect(seq: number): Promise<number> {
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }

  arrived(seq: number): void {
    const at = performance.now();
    const resolve = this.waiting.get(seq);
    this.waiting.delete(seq);
    if (resolve) setImmediate(resolve, at);
  }
}

interface Sample {
  latencies: number[];
  elapsedMs: number;
}

/** Sends `count` messages with at most `window` in flight; each waits for its own arrival. */
async function drive(
  probe: Probe,
  send: (seq: number) => Promise<unknown>,
  first: number,
  count: number,
  window: number,
  into: Sample,
): Promise<void> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const seq = first + next++;
      const arrival = probe.expect(seq);
      const sentAt = performance.now();
      await send(seq);
      into.latencies.push((await arrival) - sentAt);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  into.elapsedMs += performance.now() - started;
}

function figures(sample: Sample): Figures {
  const sorted = Float64Array.from(sample.latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99), perSecond: sorted.length / (sample.elapsedMs / 1000) };
}

function commandData(seq: number, padding: string): StageCommandData {
  return {
    executionId: `exec-${seq}`,
    stageId: 'test',
    attempt: 1,
    application: 'sample-app',
    stageType: 'run',
    trigger: {
      kind: 'push',
      provider: 'github',
      repository: 'acme/sample-app',
      ref: 'refs/heads/main',
      sha: '4f1c2e9d8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
    },
    settings: { seq, padding },
    inputs: {},
    deadline: '2030-01-01T00:00:00.000Z',
  };
}

/** Padding that brings the serialized envelope to about TARGET_BYTES. */
function paddingFor(): string {
  const size = JSON.stringify(
    buildEnvelope(command.type, commandData(12_345, ''), {
      source: '/aviary/bench',
      id: crypto.randomUUID(),
    }),
  ).length;
  return 'x'.repeat(Math.max(0, TARGET_BYTES - size));
}

const PROBE = Symbol('PROBE');

@Controller()
class BenchController {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @EventPattern<string>(command.subject)
  run(@Payload() data: StageCommandData): void {
    this.probe.arrived(data.settings['seq'] as number);
  }
}

function parseMessages(args: string[]): number {
  const flag = args.find((arg) => arg.startsWith('--messages='));
  const value = flag ? Number(flag.slice('--messages='.length)) : 10_000;
  if (!Number.isInteger(value) || value < 100) throw new Error('--messages must be an integer >= 100');
  return value;
}

function ms(value: number): string {
  return `${value.toFixed(3)} ms`.padStart(10);
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(9);
}

export async function main(args: string[]): Promise<void> {
  const messages = parseMessages(args);
  const url = await natsUrlForTests();
  const names = uniqueBusNames();
  const padding = paddingFor();
  let seq = 0;

  // Raw floor: the same bytes, the same Nats-Msg-Id header, a durable pull consumer, explicit ack.
  const rawProbe = new Probe();
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const rawStream = `${names.streamPrefix}_RAW`;
  await jsm.streams.add({
    name: rawStream,
    subjects: [`${names.subjectRoot}.raw.>`],
    retention: RetentionPolicy.Workqueue,
  });
  await jsm.consumers.add(rawStream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit });
  const rawMessages = await (await js.consumers.get(rawStream, 'raw')).consume({ max_messages: WINDOW });
  void (async () => {
    for await (const msg of rawMessages) {
      rawProbe.arrived(Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1)));
      msg.ack();
    }
  })();
  const rawPayload = new TextEncoder().encode(
    JSON.stringify(buildEnvelope(command.type, commandData(0, padding), { source: '/aviary/bench' })),
  );
  const sendRaw = (n: number) =>
    js.publish(`${names.subjectRoot}.raw.${n}`, rawPayload, { msgID: `raw-${n}` });

  // The transport: client.publish validates and wraps; a Nest microservice handles it.
  const busProbe = new Probe();
  const bus = createJetStreamBus({
    service: 'bench',
    servers: url,
    ...names,
    concurrency: WINDOW,
    logger: pino({ level: 'warn' }),
  });
  @Module({ controllers: [BenchController], providers: [{ provide: PROBE, useValue: busProbe }] })
  class BenchModule {}
  const app = await NestFactory.createMicroservice(BenchModule, { strategy: bus.server, logger: false });
  await app.listen();
  const sendBus = (n: number) => bus.client.publish(command, commandData(n, padding));

  try {
    const deadline = Date.now() + 15_000;
    while (!bus.health().ready) {
      if (Date.now() > deadline) throw new Error(`bus not ready: ${bus.health().detail}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Raw and bus alternate in rounds, so that warm-up, GC and machine noise fall on both alike.
    const phase = async (window: number, count: number) => {
      const raw: Sample = { latencies: [], elapsedMs: 0 };
      const viaBus: Sample = { latencies: [], elapsedMs: 0 };
      const chunk = Math.ceil(count / ROUNDS);
      for (let done = 0; done < count; done += chunk) {
        const size = Math.min(chunk, count - done);
        await drive(rawProbe, sendRaw, seq, size, window, raw);
        seq += size;
        await drive(busProbe, sendBus, seq, size, window, viaBus);
        seq += size;
      }
      return { raw: figures(raw), bus: figures(viaBus) };
    };
    await phase(1, WARMUP);
    await phase(WINDOW, WARMUP);
    const sequential = await phase(1, messages);
    const pipelined = await phase(WINDOW, messages);

    const ratio = (r: { raw: Figures; bus: Figures }) => r.bus.p50Ms / r.raw.p50Ms;
    const rows: Array<[string, { raw: Figures; bus: Figures }]> = [
      ['sequential (1 in flight)', sequential],
      [`pipelined (window ${WINDOW})`, pipelined],
    ];
    const bytes = rawPayload.byteLength;
    console.log(
      `bus benchmark: ${messages.toLocaleString('en-US')} commands of ${bytes} bytes per mode and side, ${url}, ` +
        `durable pull consumer, explicit ack, raw and bus alternating in ${ROUNDS} rounds; ` +
        'latency = publish start -> handler sees the message; a lane publishes its next message once the ' +
        'previous one is handled',
    );
    console.log('');
    console.log(
      'mode                      |    raw p50 |    raw p99 | raw msg/s |    bus p50 |    bus p99 | bus msg/s | p50 ratio',
    );
    console.log(
      `${'-'.repeat(26)}|${'-'.repeat(12)}|${'-'.repeat(12)}|${'-'.repeat(11)}|${'-'.repeat(12)}|${'-'.repeat(12)}|${'-'.repeat(11)}|${'-'.repeat(10)}`,
    );
    for (const [mode, r] of rows)
      console.log(
        `${mode.padEnd(26)}| ${ms(r.raw.p50Ms)} | ${ms(r.raw.p99Ms)} | ${rate(r.raw.perSecond)} | ` +
          `${ms(r.bus.p50Ms)} | ${ms(r.bus.p99Ms)} | ${rate(r.bus.perSecond)} | ${ratio(r).toFixed(2).padStart(8)}x`,
      );
    console.log('');
    const summary = (r: { raw: Figures; bus: Figures }) => ({
      raw: {
        p50_ms: round(r.raw.p50Ms),
        p99_ms: round(r.raw.p99Ms),
        msgs_per_s: Math.round(r.raw.perSecond),
      },
      bus: {
        p50_ms: round(r.bus.p50Ms),
        p99_ms: round(r.bus.p99Ms),
        msgs_per_s: Math.round(r.bus.perSecond),
      },
      p50_ratio: round(ratio(r)),
    });
    console.log(
      JSON.stringify({
        bench: 'bus',
        figures: {
          messages,
          payload_bytes: bytes,
          sequential: summary(sequential),
          [`pipelined_window_${WINDOW}`]: summary(pipelined),
        },
        goal: `the transport adds at most ${GOAL_RATIO}x to the raw floor at p50`,
        met: ratio(sequential) <= GOAL_RATIO,
      }),
    );
  } finally {
    await app.close();
    await bus.close();
    await rawMessages.close();
    await nc.close();
    await deleteStreams(url, names.streamPrefix);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
