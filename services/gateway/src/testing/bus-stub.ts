import { type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createJetStreamBus, type Bus } from '@aviary/messaging';
import { eventually } from '@aviary/test-support';
import { pino } from 'pino';
import { type GatewayUnderTest } from './gateway-harness.js';

export interface BusStub {
  bus: Bus;
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Another service, played by a Nest microservice in the test process on the gateway's bus: it
 * answers the queries and takes the commands its module's controllers handle.
 */
export async function startBusStub(
  gateway: GatewayUnderTest,
  service: string,
  module: Type,
): Promise<BusStub> {
  const bus = createJetStreamBus({
    service,
    servers: gateway.natsUrl,
    subjectRoot: gateway.subjectRoot,
    streamPrefix: gateway.streamPrefix,
    logger: pino({ level: 'silent' }),
  });
  const app = await NestFactory.createMicroservice(module, { strategy: bus.server, logger: false });
  await app.listen();
  await eventually(() => {
    if (!bus.health().ready) throw new Error(bus.health().detail);
  }, 20_000);
  return {
    bus,
    app,
    close: async () => {
      await app.close();
      await bus.close();
    },
  };
}
