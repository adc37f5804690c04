import { afterEach, describe, expect, it } from '@jest/globals';
import { buildEnvelope } from '@aviary/events';
import { type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { type Bus } from './bus.js';
import { InProcessBroker } from './in-process/broker.js';
import { createInProcessBus } from './in-process/in-process-bus.js';
import { Add, Happened, Work, testRegistry } from './testing/contracts.js';
import { silentLogger } from './testing/transports.js';

function handler(isEventHandler: boolean): MessageHandler {
  const fn: MessageHandler = () => Promise.resolve(undefined);
  fn.isEventHandler = isEventHandler;
  return fn;
}

function listen(bus: Bus): Promise<unknown> {
  return new Promise((resolve) => {
    bus.server.listen((error?: unknown) => resolve(error));
  });
}

describe('bus (in-process, no I/O)', () => {
  const buses: Bus[] = [];

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  function create(): Bus {
    const bus = createInProcessBus(new InProcessBroker(), {
      service: 'unit',
      registry: testRegistry(),
      logger: silentLogger,
    });
    buses.push(bus);
    return bus;
  }

  it('refuses to listen when a handler uses the wrong decorator for its subject', async () => {
    const bus = create();
    bus.server.addHandler(Work.subject, handler(false), false);
    expect(await listen(bus)).toEqual(
      new Error(`${Work.subject} carries commands, which have no reply: handle them with @EventPattern`),
    );
  });

  it('refuses an event handler on a query subject, and a pattern outside the canonical root', async () => {
    const onQuery = create();
    onQuery.server.addHandler(Add.subject, handler(true), true);
    expect(await listen(onQuery)).toEqual(
      new Error(`${Add.subject} carries queries: handle them with @MessagePattern`),
    );
    const outside = create();
    outside.server.addHandler('builder.run', handler(true), true);
    expect(String(await listen(outside))).toMatch('must be a canonical subject');
  });

  it('keeps emit and send to their kinds of message', async () => {
    const { client } = create();
    await expect(lastValueFrom(client.emit(Add.subject, { a: 1, b: 2 }))).rejects.toThrow(
      `${Add.subject} is a query: use client.send() or client.query()`,
    );
    await expect(lastValueFrom(client.send(Work.subject, { n: 1, label: 'x' }))).rejects.toThrow(
      `${Work.subject} is not a query: use client.emit() or client.publish()`,
    );
    await expect(lastValueFrom(client.emit(Happened, { n: 1 }))).resolves.toMatchObject({
      type: Happened.type,
    });
  });

  it('checks an envelope relayed from the outbox against its contract and subject', async () => {
    const { client } = create();
    const envelope = buildEnvelope(Work.type, { n: 1, label: 'x' }, { source: '/aviary/unit' });
    await expect(client.publishEnvelope(Happened.subject, envelope)).rejects.toThrow(
      `an envelope of type ${Work.type} belongs on ${Work.subject}, not ${Happened.subject}`,
    );
    await expect(
      client.publishEnvelope(Work.subject, { ...envelope, type: 'dev.aviary.cmd.nothing.v1' }),
    ).rejects.toThrow('no command or event contract has the type "dev.aviary.cmd.nothing.v1"');
    await expect(client.publishEnvelope(Work.subject, { ...envelope, data: { n: 'x' } })).rejects.toThrow(
      /n/,
    );
    await expect(client.publishEnvelope(Work.subject, envelope)).resolves.toBeUndefined();
  });
});
