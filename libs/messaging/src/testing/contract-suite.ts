import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type Envelope } from '@aviary/events';
import { type INestMicroservice } from '@nestjs/common';
import { Registry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { ZodError } from 'zod';
import { type Bus } from '../bus.js';
import { type BusContext } from '../bus-context.js';
import { QueryError } from '../errors.js';
import { Add, Happened, Noted, Work } from './contracts.js';
import { eventually } from '@aviary/test-support';
import { latch } from './latch.js';
import { startTestService, type Behaviour } from './service.js';
import { type TestBusOptions, type TransportFactory, type TransportUnderTest } from './transports.js';

interface Seen {
  data: unknown;
  envelope: Envelope;
  subject: string;
  deliveries: number;
  at: number;
}

function record(ctx: BusContext, data: unknown): Seen {
  return { data, envelope: ctx.envelope, subject: ctx.subject, deliveries: ctx.deliveries, at: Date.now() };
}

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, unknown>; value: number }>;
  const match = values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value));
  return match?.value ?? 0;
}

/** 'ready', or why not: a failed expectation then shows the reason. */
function readiness(bus: Bus): string {
  const health = bus.health();
  return health.ready ? 'ready' : health.detail;
}

/**
 * The behaviour every transport must have, run against each of them: the in-process broker must be
 * indistinguishable from JetStream for the code above it.
 */
export function runBusContractSuite(factory: TransportFactory): void {
  describe(`bus contract: ${factory.name}`, () => {
    let transport: TransportUnderTest;
    const apps: INestMicroservice[] = [];

    beforeEach(async () => {
      transport = await factory.create();
    });

    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await transport.dispose();
    });

    async function service(
      name: string,
      behaviour: Behaviour,
      options: TestBusOptions = {},
    ): Promise<{ bus: Bus; registry: Registry }> {
      const registry = options.metrics ?? new Registry();
      const bus = transport.bus(name, { ...options, metrics: registry });
      apps.push(await startTestService(bus, behaviour));
      await eventually(() => expect(readiness(bus)).toBe('ready'));
      return { bus, registry };
    }

    it('delivers a command to its handler with the validated data and the context', async () => {
      const seen: Seen[] = [];
      const { bus } = await service('worker', { work: (data, ctx) => seen.push(record(ctx, data)) });

      const sent = await bus.client.publish(Work, { n: 1, label: 'one' }, { correlationid: 'exec-1' });

      const [got] = await eventually(() => {
        expect(seen).toHaveLength(1);
        return seen;
      });
      expect(got!.data).toEqual({ n: 1, label: 'one' });
      expect(got!.subject).toBe(Work.subject);
      expect(got!.deliveries).toBe(1);
      expect(got!.envelope).toMatchObject({
        id: sent.id,
        type: Work.type,
        source: '/aviary/worker',
        correlationid: 'exec-1',
      });
    });

    it('acks after the handler succeeds: the message is not delivered again', async () => {
      let calls = 0;
      const { bus, registry } = await service('worker', { work: () => void calls++ });

      await bus.client.publish(Work, { n: 1, label: 'once' });

      await eventually(async () => expect(await transport.settled()).toBe(true));
      await eventually(() => expect(calls).toBe(1));
      expect(await transport.settled()).toBe(true);
      expect(calls).toBe(1);
      const labels = { subject: Work.subject };
      expect(await metricValue(registry, 'aviary_bus_messages_received_total', labels)).toBe(1);
      expect(await metricValue(registry, 'aviary_bus_messages_handled_total', labels)).toBe(1);
      expect(await metricValue(registry, 'aviary_bus_messages_published_total', labels)).toBe(1);
      expect(await metricValue(registry, 'aviary_bus_connected', {})).toBe(1);
    });

    it('redelivers after the handler throws, with a growing delay', async () => {
      const seen: Seen[] = [];
      const { bus, registry } = await service(
        'worker',
        {
          work: (data, ctx) => {
            seen.push(record(ctx, data));
            if (ctx.deliveries < 3) throw new Error(`crash ${ctx.deliveries}`);
          },
        },
        { maxDeliver: 5, backoffMs: [150, 400] },
      );

      await bus.client.publish(Work, { n: 1, label: 'flaky' });

      await eventually(() => expect(seen.map((s) => s.deliveries)).toEqual([1, 2, 3]));
      await eventually(async () => expect(await transport.settled()).toBe(true));
      const [first, second, third] = seen.map((s) => s.at);
      expect(second! - first!).toBeGreaterThanOrEqual(140);
      expect(third! - second!).toBeGreaterThanOrEqual(390);
      expect(new Set(seen.map((s) => s.envelope.id)).size).toBe(1);
      expect(await transport.deadLetters()).toEqual([]);
      expect(await metricValue(registry, 'aviary_bus_messages_failed_total', { subject: Work.subject })).toBe(
        2,
      );
    });

    it('dead-letters a message whose handler keeps failing after maxDeliver deliveries', async () => {
      const seen: Seen[] = [];
      const { bus, registry } = await service(
        'worker',
        {
          work: (data, ctx) => {
            seen.push(record(ctx, data));
            throw new Error(`boom on delivery ${ctx.deliveries}`);
          },
        },
        { maxDeliver: 3 },
      );

      const sent = await bus.client.publish(Work, { n: 7, label: 'doomed' }, { correlationid: 'exec-7' });

      const [letter] = await eventually(async () => {
        const letters = await transport.deadLetters();
        expect(letters).toHaveLength(1);
        return letters;
      });
      expect(seen.map((s) => s.deliveries)).toEqual([1, 2, 3]);
      expect(letter!.data).toMatchObject({
        subject: Work.subject,
        reason: 'handler-failed',
        error: 'boom on delivery 3',
        deliveries: 3,
        consumer: 'worker__cmd_contract-test_work_v1',
      });
      expect(JSON.parse(letter!.data.payload)).toMatchObject({ id: sent.id, data: { n: 7 } });
      expect(letter!).toMatchObject({ correlationid: 'exec-7', causationid: sent.id });
      await eventually(async () => expect(await transport.settled()).toBe(true));
      expect(seen).toHaveLength(3);
      expect(
        await metricValue(registry, 'aviary_bus_messages_dead_lettered_total', {
          subject: Work.subject,
          reason: 'handler-failed',
        }),
      ).toBe(1);
    });

    it('dead-letters an invalid message at once, and the consumer keeps going', async () => {
      const seen: Seen[] = [];
      const { bus } = await service('worker', {
        work: (data, ctx) => seen.push(record(ctx, data)),
        event: (data, ctx) => seen.push(record(ctx, data)),
      });
      const envelope = (type: string, data: unknown) =>
        JSON.stringify({
          specversion: '1.0',
          id: `raw-${type}-${JSON.stringify(data)}`,
          type,
          source: '/test',
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          correlationid: 'exec-raw',
          data,
        });

      await transport.publishRaw(Work.subject, '{not json');
      await transport.publishRaw(Work.subject, JSON.stringify({ hello: 'world' }));
      await transport.publishRaw(Work.subject, envelope(Work.type, { n: 'three', label: 'bad' }));
      await transport.publishRaw(Work.subject, envelope('dev.aviary.cmd.contract-test.unknown.v1', {}));
      await transport.publishRaw(Noted.subject, envelope(Happened.type, { n: 1 }));
      await bus.client.publish(Work, { n: 2, label: 'good' });

      const letters = await eventually(async () => {
        const found = await transport.deadLetters();
        expect(found).toHaveLength(5);
        return found;
      });
      const reasons = letters.map((l) => [l.data.subject, l.data.reason, l.data.deliveries]);
      expect(reasons).toEqual(
        expect.arrayContaining([
          [Work.subject, 'invalid-envelope', 1],
          [Work.subject, 'invalid-envelope', 1],
          [Work.subject, 'invalid-data', 1],
          [Work.subject, 'unknown-type', 1],
          [Noted.subject, 'invalid-envelope', 1],
        ]),
      );
      const invalidData = letters.find((l) => l.data.reason === 'invalid-data')!;
      expect(invalidData.data.error).toMatch(/expected number[\s\S]*at n/);
      expect(invalidData.correlationid).toBe('exec-raw');
      expect(letters.find((l) => l.data.payload === '{not json')).toBeDefined();
      await eventually(() => expect(seen.map((s) => s.data)).toEqual([{ n: 2, label: 'good' }]));
      await eventually(async () => expect(await transport.settled()).toBe(true));
    });

    it('drops a duplicate publish (same envelope id) inside the dedupe window', async () => {
      const seen: Seen[] = [];
      const { bus, registry } = await service('worker', {
        work: (data, ctx) => seen.push(record(ctx, data)),
      });

      const first = await bus.client.publish(Work, { n: 1, label: 'dup' }, { id: 'work-1' });
      await bus.client.publish(Work, { n: 1, label: 'dup' }, { id: 'work-1' });
      await bus.client.publishEnvelope(Work.subject, first);
      await bus.client.publish(Work, { n: 2, label: 'other' }, { id: 'work-2' });

      await eventually(() => expect(seen).toHaveLength(2));
      await eventually(async () => expect(await transport.settled()).toBe(true));
      expect(seen.map((s) => s.envelope.id).sort()).toEqual(['work-1', 'work-2']);
      expect(
        await metricValue(registry, 'aviary_bus_publish_duplicates_total', { subject: Work.subject }),
      ).toBe(2);
    });

    it('shares a command consumer between two replicas: each message is handled exactly once', async () => {
      const handled = new Map<string, string[]>();
      const replica = (name: string): Behaviour => ({
        work: async (_data, ctx) => {
          handled.set(ctx.envelope.id, [...(handled.get(ctx.envelope.id) ?? []), name]);
          await new Promise((resolve) => setTimeout(resolve, 10));
        },
      });
      const { bus } = await service('worker', replica('a'), { concurrency: 2 });
      await service('worker', replica('b'), { concurrency: 2 });

      const sent = await Promise.all(
        Array.from({ length: 30 }, (_, n) => bus.client.publish(Work, { n, label: 'shared' })),
      );

      await eventually(() => expect(handled.size).toBe(30));
      await eventually(async () => expect(await transport.settled()).toBe(true));
      expect([...handled.keys()].sort()).toEqual(sent.map((e) => e.id).sort());
      const handlers = [...handled.values()];
      expect(handlers.every((names) => names.length === 1)).toBe(true);
      expect(handlers.filter(([name]) => name === 'a').length).toBeGreaterThan(0);
      expect(handlers.filter(([name]) => name === 'b').length).toBeGreaterThan(0);
    });

    it('fans events out to every subscribing service, once per service, through a wildcard pattern', async () => {
      const seen: Array<{ service: string; type: string; data: unknown }> = [];
      const subscriber = (name: string): Behaviour => ({
        event: (data, ctx) => seen.push({ service: name, type: ctx.envelope.type, data }),
      });
      const { bus } = await service('alpha', subscriber('alpha'));
      await service('alpha', subscriber('alpha'));
      await service('beta', subscriber('beta'));

      await bus.client.publish(Happened, { n: 1 });
      await bus.client.publish(Noted, { note: 'hi' });

      await eventually(() => expect(seen).toHaveLength(4));
      await eventually(async () => expect(await transport.settled()).toBe(true));
      expect(seen).toEqual(
        expect.arrayContaining([
          { service: 'alpha', type: Happened.type, data: { n: 1 } },
          { service: 'beta', type: Happened.type, data: { n: 1 } },
          { service: 'alpha', type: Noted.type, data: { note: 'hi' } },
          { service: 'beta', type: Noted.type, data: { note: 'hi' } },
        ]),
      );
    });

    it('refuses a second service consuming the same commands, and says so in its health', async () => {
      await service('worker', { work: () => undefined });
      const intruder = transport.bus('intruder');
      apps.push(await startTestService(intruder, { work: () => undefined }));

      await eventually(() =>
        expect(readiness(intruder)).toMatch(
          /cannot create the consumer intruder__cmd_contract-test_work_v1 .*filtered consumer not unique/,
        ),
      );
    });

    it('answers queries; a handler error comes back with its message', async () => {
      const { bus } = await service('calculator', {
        add: ({ a, b }) => {
          if (a < 0) throw new Error('only natural numbers, please');
          return { sum: a + b };
        },
      });
      const caller = transport.bus('caller');

      await expect(caller.client.query(Add, { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
      await expect(lastValueFrom(caller.client.send(Add.subject, { a: 1, b: 1 }))).resolves.toEqual({
        sum: 2,
      });
      const failure = caller.client.query(Add, { a: -1, b: 3 });
      await expect(failure).rejects.toThrow('only natural numbers, please');
      await expect(failure).rejects.toMatchObject({ code: 'handler-failed', subject: Add.subject });
      expect(bus.health().ready).toBe(true);
    });

    it('fails a query clearly when nobody answers, and when the answer is late', async () => {
      const caller = transport.bus('caller');
      await eventually(() => expect(caller.health().ready).toBe(true));

      const unanswered = caller.client.query(Add, { a: 1, b: 2 }, { timeoutMs: 2000 });
      await expect(unanswered).rejects.toThrow(`no responder for ${Add.subject}`);
      await expect(unanswered).rejects.toBeInstanceOf(QueryError);

      const slow = latch();
      await service('calculator', {
        add: async ({ a, b }) => {
          await slow.promise;
          return { sum: a + b };
        },
      });
      const late = caller.client.query(Add, { a: 1, b: 2 }, { timeoutMs: 200 });
      await expect(late).rejects.toThrow(`timed out after 200ms waiting for ${Add.subject}`);
      await expect(late).rejects.toMatchObject({ code: 'timeout' });
      slow.release();
    });

    it('gives what a handler publishes the correlation id of the message and names it as the cause', async () => {
      const events: Envelope[] = [];
      const clientHolder: { bus?: Bus } = {};
      const behaviour: Behaviour = {
        work: async ({ n }) => {
          await clientHolder.bus!.client.publish(Happened, { n });
          await lastValueFrom(clientHolder.bus!.client.emit(Noted.subject, { note: `from ${n}` }));
        },
        event: (_data, ctx) => void events.push(ctx.envelope),
      };
      const { bus } = await service('worker', behaviour);
      clientHolder.bus = bus;

      const command = await bus.client.publish(Work, { n: 9, label: 'cause' }, { correlationid: 'exec-9' });

      await eventually(() => expect(events).toHaveLength(2));
      for (const event of events)
        expect(event).toMatchObject({ correlationid: 'exec-9', causationid: command.id });
      const outside = await bus.client.publish(Happened, { n: 10 });
      expect(outside.correlationid).toBe(outside.id);
      expect(outside.causationid).toBeUndefined();
    });

    it('validates on publish: a ZodError names the field, and nothing is sent', async () => {
      let calls = 0;
      const { bus } = await service('worker', { work: () => void calls++ });

      const wrong = { n: 'one', label: 'x' } as unknown as { n: number; label: string };
      const publishing = bus.client.publish(Work, wrong);
      await expect(publishing).rejects.toBeInstanceOf(ZodError);
      await expect(publishing).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['n'] })] });
      await expect(lastValueFrom(bus.client.emit(Work.subject, wrong))).rejects.toBeInstanceOf(ZodError);
      await expect(lastValueFrom(bus.client.emit('aviary.cmd.nobody.v1', {}))).rejects.toThrow(
        'no contract is registered for the subject "aviary.cmd.nobody.v1"',
      );
      await expect(bus.client.query(Add, { a: 1 } as never)).rejects.toBeInstanceOf(ZodError);

      await bus.client.publish(Work, { n: 1, label: 'fine' });
      await eventually(() => expect(calls).toBe(1));
    });

    it("keeps a long handler's message alive past the ack wait", async () => {
      const seen: Seen[] = [];
      const { bus } = await service(
        'worker',
        {
          work: async (data, ctx) => {
            seen.push(record(ctx, data));
            await new Promise((resolve) => setTimeout(resolve, 2500));
          },
        },
        { ackWaitMs: 1000 },
      );

      await bus.client.publish(Work, { n: 1, label: 'long' });

      await eventually(async () => expect(await transport.settled()).toBe(true), 15_000);
      expect(seen.map((s) => s.deliveries)).toEqual([1]);
    });

    it('runs a message once when the process stalls past the ack wait while its handler runs, and frees its slot', async () => {
      const runs: number[] = [];
      const bothStarted = latch();
      let started = 0;
      const { bus } = await service(
        'worker',
        {
          work: async ({ n }) => {
            runs.push(n);
            if (n === 1) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              // Synchronous work holds the event loop: no keep-alive leaves for over two ack waits.
              const until = Date.now() + 900;
              while (Date.now() < until);
              await new Promise((resolve) => setTimeout(resolve, 600));
              return;
            }
            if (++started === 2) bothStarted.release();
            await bothStarted.promise;
          },
        },
        { ackWaitMs: 400, concurrency: 2 },
      );

      await bus.client.publish(Work, { n: 1, label: 'stalls' });
      await eventually(async () => expect(await transport.settled()).toBe(true), 15_000);
      expect(runs).toEqual([1]);

      // Two messages that only finish once both run at the same time: both slots must be free.
      await bus.client.publish(Work, { n: 2, label: 'together' });
      await bus.client.publish(Work, { n: 3, label: 'together' });
      await eventually(async () => expect(await transport.settled()).toBe(true), 15_000);
      expect([...runs].sort()).toEqual([1, 2, 3]);
      expect(await transport.deadLetters()).toEqual([]);
    });

    it('close() waits for in-flight handlers to finish and ack', async () => {
      const started = latch();
      let finished = false;
      const { bus } = await service('worker', {
        work: async () => {
          started.release();
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
      });
      await bus.client.publish(Work, { n: 1, label: 'in flight' });
      await started.promise;

      const [app] = apps.splice(0);
      await app!.close();

      expect(finished).toBe(true);
      expect(bus.health().ready).toBe(false);
      await expect(bus.client.publish(Work, { n: 2, label: 'too late' })).rejects.toThrow('closed');
      await eventually(async () => expect(await transport.settled()).toBe(true));
    });
  });
}
