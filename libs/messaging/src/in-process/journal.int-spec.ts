import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Delivery } from '../link.js';
import { InProcessBroker } from './broker.js';

const CMD = 'T_CMD';
const EVT = 'T_EVT';
const text = (delivery: Delivery) => Buffer.from(delivery.payload).toString();
const bytes = (value: string) => new TextEncoder().encode(value);

async function waitFor<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A broker on a journal folder, as the standalone mode opens one at every start of its process. */
function open(journalDir: string, ackWaitMs = 400): InProcessBroker {
  const broker = new InProcessBroker({ journalDir });
  broker.addStream({
    name: CMD,
    subjects: 't.cmd.>',
    retention: 'work-queue',
    duplicateWindowMs: 1_000,
    maxAgeMs: 60_000,
  });
  broker.addStream({
    name: EVT,
    subjects: 't.evt.>',
    retention: 'limits',
    duplicateWindowMs: 1_000,
    maxAgeMs: 60_000,
  });
  broker.addConsumer(CMD, { name: 'builder__run', filter: 't.cmd.builder.>', ackWaitMs });
  broker.addConsumer(EVT, { name: 'orchestrator__stage', filter: 't.evt.stage.>', ackWaitMs });
  return broker;
}

function collect(broker: InProcessBroker, stream: string, consumer: string): Delivery[] {
  const received: Delivery[] = [];
  broker.consume(stream, consumer, 4, (delivery) => received.push(delivery));
  return received;
}

describe('the in-process broker with a journal', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  async function journalDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'aviary-journal-'));
    dirs.push(dir);
    return dir;
  }

  it('gives a restarted process the commands and events nobody acknowledged, and only those', async () => {
    const dir = await journalDir();
    const before = open(dir);
    const commands = collect(before, CMD, 'builder__run');
    before.publish('t.cmd.builder.run', bytes('acked'), 'c1');
    before.publish('t.cmd.builder.run', bytes('in flight'), 'c2');
    before.publish('t.evt.stage.builder.completed', bytes('result'), 'e1');
    await waitFor(() => (commands.length === 2 ? true : undefined));
    commands.find((d) => text(d) === 'acked')!.ack();
    // The process stops here: one command was being handled, the event was never read.

    const after = open(dir);
    const events = collect(after, EVT, 'orchestrator__stage');
    const redelivered = collect(after, CMD, 'builder__run');
    const event = await waitFor(() => events[0]);
    expect(text(event)).toBe('result');
    event.ack();
    // The command in flight comes back after the ack wait (its handler may still have been running).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(redelivered).toHaveLength(0);
    const command = await waitFor(() => redelivered[0]);
    expect(text(command)).toBe('in flight');
    expect(command.deliveries).toBe(2);
    command.ack();

    const third = open(dir, 50);
    const again = [...collect(third, CMD, 'builder__run'), ...collect(third, EVT, 'orchestrator__stage')];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again).toHaveLength(0);
  });

  it('keeps a command no worker took yet, and numbers new messages after the old ones', async () => {
    const dir = await journalDir();
    const before = new InProcessBroker({ journalDir: dir });
    before.addStream({
      name: CMD,
      subjects: 't.cmd.>',
      retention: 'work-queue',
      duplicateWindowMs: 1_000,
      maxAgeMs: 60_000,
    });
    before.publish('t.cmd.deployer.deploy', bytes('waiting'), 'w1');
    before.publish('t.cmd.deployer.deploy', bytes('waiting too'), 'w2');

    const after = new InProcessBroker({ journalDir: dir });
    after.addStream({
      name: CMD,
      subjects: 't.cmd.>',
      retention: 'work-queue',
      duplicateWindowMs: 1_000,
      maxAgeMs: 60_000,
    });
    after.publish('t.cmd.deployer.deploy', bytes('new'), 'w3');
    after.addConsumer(CMD, { name: 'deployer__deploy', filter: 't.cmd.deployer.>', ackWaitMs: 1_000 });
    const received = collect(after, CMD, 'deployer__deploy');
    await waitFor(() => (received.length === 3 ? true : undefined));
    expect(received.map(text)).toEqual(['waiting', 'waiting too', 'new']);
    expect(after.messages(CMD).map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});
