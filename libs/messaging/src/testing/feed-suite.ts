import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type LogLine } from '@aviary/events';
import { eventually } from '@aviary/test-support';
import { type Bus } from '../bus.js';
import { type Feed, type StreamedEvent } from '../feeds/feeds.js';
import { EVENTS_PATTERN, Happened, Noted } from './contracts.js';
import { type TransportFactory, type TransportUnderTest } from './transports.js';

/** Reads a feed in the background into an array the test polls. */
function collect<T>(feed: Feed<T>): { items: T[]; ended: Promise<void> } {
  const items: T[] = [];
  const ended = (async () => {
    for await (const item of feed) items.push(item);
  })();
  return { items, ended };
}

function numbers(events: StreamedEvent[]): unknown[] {
  return events.map(
    (event) => (event.envelope.data as { n?: number; note?: string }).n ?? event.envelope.data,
  );
}

function line(stageId: string, seq: number): LogLine {
  return {
    executionId: 'exec-1',
    stageId,
    attempt: 1,
    seq,
    stream: 'stdout',
    time: new Date().toISOString(),
    text: `line ${seq} of ${stageId}`,
  };
}

/** Reading the events stream from a position and following core log subjects, on every transport. */
export function runFeedContractSuite(factory: TransportFactory): void {
  describe(`bus feeds: ${factory.name}`, () => {
    let transport: TransportUnderTest;
    let bus: Bus;
    const feeds: Array<Feed<unknown>> = [];

    beforeEach(async () => {
      transport = await factory.create();
      bus = transport.bus('reader');
      await eventually(() => expect(bus.health().ready).toBe(true));
    });

    afterEach(async () => {
      for (const feed of feeds.splice(0)) feed.close();
      await transport.dispose();
    });

    async function follow(
      pattern: string,
      fromSequence?: number,
    ): Promise<ReturnType<typeof collect<StreamedEvent>>> {
      const feed = await bus.client.subscribeEvents(pattern, { fromSequence });
      feeds.push(feed);
      return collect(feed);
    }

    it('replays the events stream from a sequence, then follows new events, each with its sequence', async () => {
      for (const n of [1, 2, 3]) await bus.client.publish(Happened, { n });
      const all = await follow(EVENTS_PATTERN, 1);
      await eventually(() => expect(numbers(all.items)).toEqual([1, 2, 3]));
      const sequences = all.items.map((event) => event.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(sequences).size).toBe(3);
      expect(all.items[0]!.subject).toBe(Happened.subject);
      expect(all.items[0]!.envelope.type).toBe(Happened.type);

      // Resuming after the second event (SSE Last-Event-ID) gives the third and then the new ones.
      const resumed = await follow(EVENTS_PATTERN, sequences[1]! + 1);
      await bus.client.publish(Happened, { n: 4 });
      await eventually(() => expect(numbers(resumed.items)).toEqual([3, 4]));
      await eventually(() => expect(numbers(all.items)).toEqual([1, 2, 3, 4]));
    });

    it('without a sequence, follows only what is published from now on, filtered by the pattern', async () => {
      await bus.client.publish(Happened, { n: 1 });
      const happened = await follow(Happened.subject);
      await bus.client.publish(Noted, { note: 'not this one' });
      await bus.client.publish(Happened, { n: 2 });
      await eventually(() => expect(numbers(happened.items)).toEqual([2]));
    });

    it('skips what is not a valid event and goes on', async () => {
      const all = await follow(EVENTS_PATTERN, 1);
      await transport.publishRaw(Happened.subject, 'not json');
      await transport.publishRaw(Happened.subject, JSON.stringify({ specversion: '1.0' }));
      await bus.client.publish(Happened, { n: 7 });
      await eventually(() => expect(numbers(all.items)).toEqual([7]));
    });

    it('ends a reader loop on close(), and refuses a pattern outside the events', async () => {
      const feed = await bus.client.subscribeEvents(EVENTS_PATTERN);
      const reading = collect(feed);
      feed.close();
      await reading.ended;
      await expect(bus.client.subscribeEvents('aviary.cmd.>')).rejects.toThrow('event pattern');
    });

    it('carries log lines on core subjects, to every listener of the execution or of one stage', async () => {
      const execution = await bus.client.subscribeLogs('exec-1');
      const stage = await bus.client.subscribeLogs('exec-1', 'test');
      feeds.push(execution, stage);
      const everything = collect(execution);
      const oneStage = collect(stage);
      const publisher = transport.bus('builder');
      await eventually(() => expect(publisher.health().ready).toBe(true));

      await eventually(async () => {
        await publisher.client.publishLog(line('lint', 1));
        await publisher.client.publishLog(line('test', 1));
        expect(everything.items.map((l) => l.stageId)).toEqual(expect.arrayContaining(['lint', 'test']));
        expect(oneStage.items.length).toBeGreaterThan(0);
      });
      expect(new Set(oneStage.items.map((l) => l.stageId))).toEqual(new Set(['test']));
      await expect(publisher.client.publishLog({ ...line('test', 2), seq: -1 })).rejects.toThrow('seq');
    });
  });
}
