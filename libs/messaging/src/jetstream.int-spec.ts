import { afterEach, describe, expect, it } from '@jest/globals';
import {
  deleteStreams,
  freePort,
  natsUrlForTests,
  startNatsServer,
  streamMessageCount,
  uniqueBusNames,
  type NatsServerProcess,
} from '@aviary/test-support';
import { type INestMicroservice } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { type Bus } from './bus.js';
import { createJetStreamBus } from './jetstream/jetstream-bus.js';
import { type BusOptions } from './options.js';
import { Add, Happened, Work, testRegistry } from './testing/contracts.js';
import { eventually } from '@aviary/test-support';
import { startTestService, type Behaviour } from './testing/service.js';
import { silentLogger } from './testing/transports.js';

function readiness(bus: Bus): string {
  const health = bus.health();
  return health.ready ? 'ready' : health.detail;
}

describe('JetStream bus', () => {
  const cleanups: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function bus(
    servers: string,
    names: { subjectRoot: string; streamPrefix: string },
    options: Partial<BusOptions> = {},
  ) {
    const created = createJetStreamBus({
      service: 'worker',
      servers,
      ...names,
      registry: testRegistry(),
      logger: silentLogger,
      backoffMs: [50],
      ...options,
    });
    cleanups.push(() => created.close());
    return created;
  }

  async function serve(target: Bus, behaviour: Behaviour): Promise<INestMicroservice> {
    const app = await startTestService(target, behaviour);
    cleanups.push(() => app.close());
    return app;
  }

  async function nats(options: { port?: number } = {}): Promise<NatsServerProcess> {
    const server = await startNatsServer(options);
    cleanups.push(() => server.dispose());
    return server;
  }

  async function manager(url: string): Promise<JetStreamManager> {
    const nc: NatsConnection = await connect({ servers: url });
    cleanups.push(() => nc.close());
    return jetstreamManager(nc);
  }

  it('creates its streams and durable consumers at start, idempotently, with names from its config', async () => {
    const url = await natsUrlForTests();
    const names = uniqueBusNames();
    cleanups.push(() => deleteStreams(url, names.streamPrefix));
    const first = bus(url, names, { ackWaitMs: 5000 });
    await serve(first, { work: () => undefined, event: () => undefined, add: () => ({ sum: 0 }) });
    await eventually(() => expect(readiness(first)).toBe('ready'));

    const jsm = await manager(url);
    const streams = new Map<string, { subjects: string[]; retention: string }>();
    for await (const info of jsm.streams.list())
      if (info.config.name.startsWith(`${names.streamPrefix}_`))
        streams.set(info.config.name, { subjects: info.config.subjects, retention: info.config.retention });
    expect(Object.fromEntries(streams)).toEqual({
      [`${names.streamPrefix}_CMD`]: { subjects: [`${names.subjectRoot}.cmd.>`], retention: 'workqueue' },
      [`${names.streamPrefix}_EVT`]: { subjects: [`${names.subjectRoot}.evt.>`], retention: 'limits' },
      [`${names.streamPrefix}_DLQ`]: { subjects: [`${names.subjectRoot}.dlq.>`], retention: 'limits' },
    });
    const command = await jsm.consumers.info(
      `${names.streamPrefix}_CMD`,
      'worker__cmd_contract-test_work_v1',
    );
    expect(command.config).toMatchObject({
      filter_subject: `${names.subjectRoot}.cmd.contract-test.work.v1`,
      deliver_policy: 'all',
      ack_policy: 'explicit',
      ack_wait: 5_000_000_000,
    });
    const events = await jsm.consumers.info(`${names.streamPrefix}_EVT`, 'worker__evt_contract-test_REST');
    expect(events.config).toMatchObject({
      filter_subject: `${names.subjectRoot}.evt.contract-test.>`,
      deliver_policy: 'new',
    });

    // A replica (or a restart with a changed setting) finds everything in place and updates it.
    const second = bus(url, names, { ackWaitMs: 7000 });
    await serve(second, { work: () => undefined, event: () => undefined, add: () => ({ sum: 0 }) });
    await eventually(() => expect(readiness(second)).toBe('ready'));
    const updated = await jsm.consumers.info(
      `${names.streamPrefix}_CMD`,
      'worker__cmd_contract-test_work_v1',
    );
    expect(updated.config.ack_wait).toBe(7_000_000_000);
    expect(readiness(first)).toBe('ready');
  });

  it('reconnects after the NATS server restarts and resumes consuming by itself', async () => {
    const server = await nats();
    const target = bus(server.url, uniqueBusNames(), { publishTimeoutMs: 20_000 });
    const seen: number[] = [];
    await serve(target, { work: ({ n }) => void seen.push(n) });
    await eventually(() => expect(readiness(target)).toBe('ready'));
    await target.client.publish(Work, { n: 1, label: 'before' });
    await eventually(() => expect(seen).toEqual([1]));

    await server.stop();
    await eventually(() => expect(readiness(target)).toMatch(/connection to NATS at .* lost; reconnecting/));
    // Published during the outage: it waits (up to publishTimeoutMs) for the bus to be back.
    const duringOutage = target.client.publish(Work, { n: 2, label: 'during' });
    await server.restart();

    await eventually(() => expect(readiness(target)).toBe('ready'), 20_000);
    await duringOutage;
    await target.client.publish(Work, { n: 3, label: 'after' });
    await eventually(() => expect(seen).toEqual([1, 2, 3]), 20_000);
  });

  it('does not block start-up while NATS is down: not ready with the reason, then ready once it starts', async () => {
    const port = await freePort();
    const metrics = new Registry();
    const target = bus(`nats://127.0.0.1:${port}`, uniqueBusNames(), { metrics, publishTimeoutMs: 200 });
    const seen: number[] = [];

    await serve(target, { work: ({ n }) => void seen.push(n) });

    await eventually(() =>
      expect(readiness(target)).toMatch(
        new RegExp(`cannot reach NATS at nats://127.0.0.1:${port} \\(attempt \\d+: .*\\); retrying`),
      ),
    );
    expect((await metrics.getSingleMetric('aviary_bus_connected')!.get()).values[0]!.value).toBe(0);
    await expect(target.client.publish(Work, { n: 0, label: 'early' }, {})).rejects.toThrow(
      /not ready after/,
    );

    await nats({ port });

    await eventually(() => expect(readiness(target)).toBe('ready'), 15_000);
    expect((await metrics.getSingleMetric('aviary_bus_connected')!.get()).values[0]!.value).toBe(1);
    await target.client.publish(Work, { n: 1, label: 'first' });
    await eventually(() => expect(seen).toEqual([1]));
  });

  it('recreates its streams and consumers on a NATS that restarted without its store', async () => {
    const first = await nats();
    const names = uniqueBusNames();
    const target = bus(first.url, names);
    const seen: number[] = [];
    await serve(target, {
      work: ({ n }) => void seen.push(n),
      event: (data) => void seen.push(100 + (data as { n: number }).n),
    });
    await eventually(() => expect(readiness(target)).toBe('ready'));
    await target.client.publish(Work, { n: 1, label: 'before' });
    await eventually(() => expect(seen).toEqual([1]));

    await first.stop();
    const blank = await nats({ port: first.port });

    await eventually(() => expect(readiness(target)).toBe('ready'), 20_000);
    const jsm = await manager(blank.url);
    expect(
      (await jsm.consumers.info(`${names.streamPrefix}_CMD`, 'worker__cmd_contract-test_work_v1')).name,
    ).toBeDefined();
    await target.client.publish(Work, { n: 2, label: 'after' });
    await target.client.publish(Happened, { n: 2 });
    await eventually(() => expect(seen).toEqual(expect.arrayContaining([1, 2, 102])));
  });

  it('recreates a consumer deleted under it, and resumes', async () => {
    const url = await natsUrlForTests();
    const names = uniqueBusNames();
    cleanups.push(() => deleteStreams(url, names.streamPrefix));
    const target = bus(url, names);
    const seen: number[] = [];
    await serve(target, { work: ({ n }) => void seen.push(n) });
    await eventually(() => expect(readiness(target)).toBe('ready'));
    const jsm = await manager(url);

    await jsm.consumers.delete(`${names.streamPrefix}_CMD`, 'worker__cmd_contract-test_work_v1');

    await eventually(async () => {
      expect(
        (await jsm.consumers.info(`${names.streamPrefix}_CMD`, 'worker__cmd_contract-test_work_v1')).name,
      ).toBe('worker__cmd_contract-test_work_v1');
    });
    await target.client.publish(Work, { n: 1, label: 'after deletion' });
    await eventually(() => expect(seen).toEqual([1]));
  });

  it('pulls only what its handlers can start: commands queued behind busy handlers are neither redelivered nor dead-lettered', async () => {
    const url = await natsUrlForTests();
    const names = uniqueBusNames();
    cleanups.push(() => deleteStreams(url, names.streamPrefix));
    // Two handlers, each busy for 4 ack waits: the last commands wait ten ack waits for a handler,
    // twice as long as maxDeliver redeliveries would last.
    const target = bus(url, names, { ackWaitMs: 300, maxDeliver: 5, concurrency: 2 });
    const runs: number[] = [];
    await serve(target, {
      work: async ({ n }) => {
        runs.push(n);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
      },
    });
    await eventually(() => expect(readiness(target)).toBe('ready'));

    for (let n = 0; n < 6; n++) await target.client.publish(Work, { n, label: `queued ${n}` });

    await eventually(() => expect([...runs].sort()).toEqual([0, 1, 2, 3, 4, 5]), 20_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([...runs].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await streamMessageCount(url, `${names.streamPrefix}_DLQ`)).toBe(0);
  });

  it('fails a publish clearly when NATS stays down past the publish timeout', async () => {
    const port = await freePort();
    const target = bus(`nats://127.0.0.1:${port}`, uniqueBusNames(), { publishTimeoutMs: 150 });

    await expect(target.client.publish(Work, { n: 1, label: 'nowhere' })).rejects.toThrow(
      new RegExp(
        `bus not ready after 150ms: cannot reach NATS at nats://127.0.0.1:${port}|connecting to NATS`,
      ),
    );
    await expect(target.client.query(Add, { a: 1, b: 1 }, { timeoutMs: 150 })).rejects.toThrow(
      /not ready after 150ms/,
    );
  });
});
