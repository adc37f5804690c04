import 'reflect-metadata';
import { Controller, Inject, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { type z } from 'zod';
import { type Bus } from '../bus.js';
import { BusContext } from '../bus-context.js';
import { BusExceptionFilter } from '../exception-filter.js';
import { Add, EVENTS_PATTERN, Work } from './contracts.js';

type WorkData = z.infer<typeof Work.schema>;
type AddData = z.infer<typeof Add.schema>;

/** What the test service does with each message; every test records or throws as it needs. */
export interface Behaviour {
  work?(data: WorkData, ctx: BusContext): unknown;
  event?(data: unknown, ctx: BusContext): unknown;
  add?(data: AddData, ctx: BusContext): unknown;
}

const BEHAVIOUR = Symbol('BEHAVIOUR');

// `EventPattern<string>`: Nest 12 types `@EventPattern(topic)` so that a handler with a typed
// payload and a typed context does not compile unless the topic type is given.

@Controller()
@UseFilters(BusExceptionFilter)
class WorkController {
  constructor(@Inject(BEHAVIOUR) private readonly behaviour: Behaviour) {}

  @EventPattern<string>(Work.subject)
  async work(@Payload() data: WorkData, @Ctx() ctx: BusContext): Promise<void> {
    await this.behaviour.work!(data, ctx);
  }
}

@Controller()
@UseFilters(BusExceptionFilter)
class EventsController {
  constructor(@Inject(BEHAVIOUR) private readonly behaviour: Behaviour) {}

  @EventPattern<string>(EVENTS_PATTERN)
  async event(@Payload() data: unknown, @Ctx() ctx: BusContext): Promise<void> {
    await this.behaviour.event!(data, ctx);
  }
}

@Controller()
@UseFilters(BusExceptionFilter)
class AddController {
  constructor(@Inject(BEHAVIOUR) private readonly behaviour: Behaviour) {}

  @MessagePattern(Add.subject)
  add(@Payload() data: AddData, @Ctx() ctx: BusContext): unknown {
    return this.behaviour.add!(data, ctx);
  }
}

/**
 * A Nest microservice on the bus, written the way services write theirs, handling what `behaviour`
 * has a function for (a command consumer is exclusive to one service, as in a work queue).
 */
export async function startTestService(bus: Bus, behaviour: Behaviour): Promise<INestMicroservice> {
  const controllers = [
    behaviour.work && WorkController,
    behaviour.event && EventsController,
    behaviour.add && AddController,
  ].filter((controller) => controller !== undefined);

  @Module({ controllers, providers: [{ provide: BEHAVIOUR, useValue: behaviour }] })
  class ContractTestModule {}

  const app = await NestFactory.createMicroservice(ContractTestModule, {
    strategy: bus.server,
    logger: false,
  });
  await app.listen();
  return app;
}
