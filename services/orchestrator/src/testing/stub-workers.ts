import 'reflect-metadata';
import {
  ReadRepositoryFile,
  StageEvents,
  type DataOf,
  type Envelope,
  type StageCommandData,
  type WorkerKind,
} from '@aviary/events';
import {
  BusContext,
  BusExceptionFilter,
  createJetStreamBus,
  type Bus,
  type BusClient,
} from '@aviary/messaging';
import { Controller, Inject, Module, UseFilters, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { pino } from 'pino';

/** What a stub worker does with one stage command. */
export type Reply =
  | { kind: 'succeed'; outputs?: Record<string, unknown>; delayMs?: number; after?: Promise<unknown> }
  | { kind: 'fail'; message?: string; delayMs?: number; after?: Promise<unknown> }
  /** Takes the command and never answers: a worker that died mid-stage. */
  | { kind: 'hang' };

export interface SeenCommand {
  subject: string;
  worker: string;
  action: string;
  envelopeId: string;
  deliveries: number;
  executionId: string;
  stageId: string;
  attempt: number;
  data: Record<string, unknown>;
  at: number;
}

export interface SeenEvent {
  subject: string;
  data: Record<string, unknown>;
}

type Behaviour = (command: SeenCommand) => Reply;

/**
 * Every worker of Aviary as a stub on the real bus: it records each command it receives (`aviary.cmd.
 * <worker>.*`), answers stage commands as told (succeed with outputs, fail, hang), answers the
 * builder's file query with the pipeline the test gave, and records the execution events.
 */
export class StubWorkers {
  readonly commands: SeenCommand[] = [];
  readonly events: SeenEvent[] = [];
  readonly files = new Map<string, string>();
  fileQueries = 0;
  /** Applications whose file query is not answered (the builder is down for them). */
  readonly unanswered = new Set<string>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly answered = new Map<string, (command: SeenCommand) => void>();
  private readonly client: BusClient;
  app: INestMicroservice | undefined;

  constructor(private readonly bus: Bus) {
    this.client = bus.client;
  }

  get busClient(): BusClient {
    return this.client;
  }

  /** How the workers answer the commands of one application (default: succeed at once). */
  on(application: string, behaviour: Behaviour): void {
    this.behaviours.set(application, behaviour);
  }

  /** Called once the answer to a command of the application is on the bus. */
  afterAnswer(application: string, hook: (command: SeenCommand) => void): void {
    this.answered.set(application, hook);
  }

  stageCommands(executionId: string): SeenCommand[] {
    return this.commands.filter(
      (c) => c.executionId === executionId && c.action !== 'cancel' && c.action !== 'notify',
    );
  }

  cancels(executionId: string): SeenCommand[] {
    return this.commands.filter((c) => c.executionId === executionId && c.action === 'cancel');
  }

  eventsOf(executionId: string, subject?: string): SeenEvent[] {
    return this.events.filter(
      (e) => e.data['executionId'] === executionId && (subject === undefined || e.subject === subject),
    );
  }

  async handle(subject: string, envelope: Envelope, deliveries: number): Promise<void> {
    const [, , worker = '', action = ''] = subject.split('.');
    const data = envelope.data as Record<string, unknown>;
    const ref = data as { executionId?: string; stageId?: string; attempt?: number };
    const seen: SeenCommand = {
      subject,
      worker,
      action,
      envelopeId: envelope.id,
      deliveries,
      executionId: ref.executionId ?? '',
      stageId: ref.stageId ?? '',
      attempt: ref.attempt ?? 0,
      data,
      at: Date.now(),
    };
    this.commands.push(seen);
    if (action === 'cancel' || action === 'notify') return;
    const command = data as unknown as StageCommandData;
    const reply = this.behaviours.get(command.application)?.(seen) ?? { kind: 'succeed' };
    if (reply.kind === 'hang') return;
    const events = StageEvents[worker as WorkerKind];
    const stageRef = { executionId: command.executionId, stageId: command.stageId, attempt: command.attempt };
    const answer = async () => {
      await this.client.publish(events.started, {
        ...stageRef,
        worker: `stub-${worker}`,
        startedAt: new Date().toISOString(),
      });
      if (reply.kind === 'succeed')
        await this.client.publish(events.completed, {
          ...stageRef,
          completedAt: new Date().toISOString(),
          outputs: reply.outputs ?? {},
        });
      else
        await this.client.publish(events.failed, {
          ...stageRef,
          failedAt: new Date().toISOString(),
          error: { message: reply.message ?? 'the stub was told to fail', retryable: true },
          outputs: {},
        });
      this.answered.get(command.application)?.(seen);
    };
    if (reply.after) void reply.after.then(answer).catch(() => undefined);
    else if (reply.delayMs) setTimeout(() => void answer().catch(() => undefined), reply.delayMs);
    else await answer();
  }

  readFile(query: DataOf<typeof ReadRepositoryFile>): unknown {
    this.fileQueries += 1;
    if (this.unanswered.has(query.application)) return new Promise(() => undefined);
    const content = this.files.get(query.application);
    return content === undefined
      ? { found: false, reason: `${query.path} does not exist at ${query.sha}` }
      : { found: true, content, size: content.length };
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.bus.close();
  }
}

const STUBS = Symbol('STUBS');

function workerController(worker: WorkerKind): Type {
  @Controller()
  @UseFilters(BusExceptionFilter)
  class WorkerStub {
    constructor(@Inject(STUBS) private readonly stubs: StubWorkers) {}

    @EventPattern<string>(`aviary.cmd.${worker}.>`)
    async command(@Payload() _data: unknown, @Ctx() ctx: BusContext): Promise<void> {
      await this.stubs.handle(ctx.subject, ctx.envelope, ctx.deliveries);
    }
  }
  return WorkerStub;
}

@Controller()
@UseFilters(BusExceptionFilter)
class FileStub {
  constructor(@Inject(STUBS) private readonly stubs: StubWorkers) {}

  @MessagePattern(ReadRepositoryFile.subject)
  read(@Payload() query: DataOf<typeof ReadRepositoryFile>): unknown {
    return this.stubs.readFile(query);
  }
}

@Controller()
@UseFilters(BusExceptionFilter)
class EventRecorder {
  constructor(@Inject(STUBS) private readonly stubs: StubWorkers) {}

  @EventPattern<string>('aviary.evt.execution.>')
  execution(@Payload() data: Record<string, unknown>, @Ctx() ctx: BusContext): void {
    this.stubs.events.push({ subject: ctx.subject, data });
  }

  @EventPattern<string>('aviary.evt.judgment.>')
  judgment(@Payload() data: Record<string, unknown>, @Ctx() ctx: BusContext): void {
    this.stubs.events.push({ subject: ctx.subject, data });
  }
}

export interface BusNames {
  natsUrl: string;
  subjectRoot: string;
  streamPrefix: string;
}

/** Starts the stubs of every worker except `absent` ones, and waits until their consumers exist. */
export async function startStubWorkers(
  names: BusNames,
  options: { absent?: WorkerKind[] } = {},
): Promise<StubWorkers> {
  const bus = createJetStreamBus({
    service: 'stub-workers',
    servers: names.natsUrl,
    subjectRoot: names.subjectRoot,
    streamPrefix: names.streamPrefix,
    logger: pino({ level: 'silent' }),
    concurrency: 64,
    ackWaitMs: 5_000,
    backoffMs: [100],
  });
  const workers = (['builder', 'quality', 'deployer', 'canary', 'notifier'] as const).filter(
    (worker) => !options.absent?.includes(worker),
  );
  const stubs = new StubWorkers(bus);
  @Module({
    controllers: [...workers.map(workerController), FileStub, EventRecorder],
    providers: [{ provide: STUBS, useValue: stubs }],
  })
  class StubModule {}
  const app = await NestFactory.createMicroservice(StubModule, { strategy: bus.server, logger: false });
  stubs.app = app;
  await app.listen();
  const deadline = Date.now() + 20_000;
  while (!bus.health().ready) {
    if (Date.now() > deadline) throw new Error(`stub workers not ready: ${bus.health().detail}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return stubs;
}
