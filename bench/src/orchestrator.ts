import 'reflect-metadata';
import {
  ExecutionCompleted,
  ExecutionFailed,
  ListExecutions,
  ReadRepositoryFile,
  StageCommands,
  StageEvents,
  WebhookReceived,
  type DataOf,
  type StageCommandData,
} from '@aviary/events';
import { BusContext, createJetStreamBus, type Bus } from '@aviary/messaging';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  freePort,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { DataSource } from 'typeorm';

/**
 * `npm run bench -- orchestrator [--executions=N] [--runs=N]`: the orchestrator as its own process
 * (`services/orchestrator/dist/main.js`) on NATS and PostgreSQL, with a stub worker that answers every
 * stage command at once.
 *
 * (a) one pipeline of 20 sequential no-op stages, run `--runs` times one after the other: end-to-end
 *     time, and per transition (the worker publishes a stage's result -> it receives the next stage's
 *     command) the p50 and p99;
 * (b) `--executions` (1,000) executions of 5 sequential stages pushed at once: executions per second,
 *     the slowest end to end, and a count of every stage command: none lost, none twice;
 * the floor, in the same run and between the runs of (a): one PostgreSQL commit then one JetStream
 * publish to a consumer.
 */

const SEQUENTIAL_STAGES = 20;
const CONCURRENT_STAGES = 5;
const FLOOR_SAMPLES = 300;
const GOAL_RATIO = 3;
const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORCHESTRATOR_MAIN = join(root, 'services', 'orchestrator', 'dist', 'main.js');

function pipelineYaml(name: string, stages: number): string {
  const lines = [`name: ${name}`, 'stages:'];
  for (let i = 1; i <= stages; i++) lines.push(`  - { id: s${i}, type: run, command: 'true' }`);
  return `${lines.join('\n')}\n`;
}

/** What the stub worker saw and when, in this process's clock. */
class Recorder {
  readonly files = new Map<string, string>();
  /** `<execution>/<stage>` -> when its command arrived. */
  readonly arrived = new Map<string, number>();
  /** `<execution>/<stage>` -> when the worker started publishing its result. */
  readonly answered = new Map<string, number>();
  /** Commands per `<execution>/<stage>#<attempt>`: anything but 1 is lost or duplicated. */
  readonly receipts = new Map<string, number>();
  readonly ended = new Map<string, { status: string; at: number }>();
  private floorWaiter: ((at: number) => void) | undefined;
  private readonly endWaiters = new Map<string, () => void>();

  constructor(readonly bus: Bus) {}

  async command(data: StageCommandData): Promise<void> {
    const now = performance.now();
    const key = `${data.executionId}/${data.stageId}`;
    this.arrived.set(key, now);
    const receipt = `${key}#${data.attempt}`;
    this.receipts.set(receipt, (this.receipts.get(receipt) ?? 0) + 1);
    this.answered.set(key, performance.now());
    await this.bus.client.publish(StageEvents.builder.completed, {
      executionId: data.executionId,
      stageId: data.stageId,
      attempt: data.attempt,
      completedAt: new Date().toISOString(),
      outputs: {},
    });
  }

  floorArrived(): void {
    const at = performance.now();
    this.floorWaiter?.(at);
  }

  nextFloor(): Promise<number> {
    return new Promise((resolve) => (this.floorWaiter = resolve));
  }

  executionEnded(executionId: string, status: string): void {
    this.ended.set(executionId, { status, at: performance.now() });
    this.endWaiters.get(executionId)?.();
  }

  whenEnded(executionId: string): Promise<void> {
    if (this.ended.has(executionId)) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.set(executionId, resolve));
  }
}

const RECORDER = Symbol('RECORDER');

@Controller()
class StubController {
  constructor(@Inject(RECORDER) private readonly recorder: Recorder) {}

  @EventPattern<string>('aviary.cmd.builder.>')
  async builder(@Payload() data: StageCommandData, @Ctx() ctx: BusContext): Promise<void> {
    if (ctx.subject === StageCommands.builder.run.subject) await this.recorder.command(data);
  }

  @EventPattern<string>(StageCommands.quality.gate.subject)
  floor(): void {
    this.recorder.floorArrived();
  }

  @MessagePattern(ReadRepositoryFile.subject)
  read(@Payload() query: DataOf<typeof ReadRepositoryFile>): unknown {
    const content = this.recorder.files.get(query.application);
    return content === undefined
      ? { found: false, reason: 'no such file' }
      : { found: true, content, size: content.length };
  }

  @EventPattern<string>(ExecutionCompleted.subject)
  completed(@Payload() data: DataOf<typeof ExecutionCompleted>): void {
    this.recorder.executionEnded(data.executionId, 'SUCCEEDED');
  }

  @EventPattern<string>(ExecutionFailed.subject)
  failed(@Payload() data: DataOf<typeof ExecutionFailed>): void {
    this.recorder.executionEnded(data.executionId, 'FAILED');
  }
}

function percentile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(12);

function parseFlag(args: string[], name: string, fallback: number, min: number): number {
  const flag = args.find((arg) => arg.startsWith(`--${name}=`));
  const value = flag ? Number(flag.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const benchStart = Date.now();
function progress(what: string): void {
  process.stderr.write(`[${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${what}\n`);
}

export async function main(args: string[]): Promise<void> {
  const executions = parseFlag(args, 'executions', 1000, 1);
  const runs = parseFlag(args, 'runs', 10, 1);
  if (!existsSync(ORCHESTRATOR_MAIN)) throw new Error(`${ORCHESTRATOR_MAIN} is missing: npm run build`);
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bench')}_`;
  const floorSchema = `${schemaPrefix}floor`;

  const bus = createJetStreamBus({
    service: 'bench-worker',
    servers: natsUrl,
    ...names,
    concurrency: 256,
    logger: pino({ level: 'warn' }),
  });
  const recorder = new Recorder(bus);
  @Module({ controllers: [StubController], providers: [{ provide: RECORDER, useValue: recorder }] })
  class StubModule {}
  const app = await NestFactory.createMicroservice(StubModule, { strategy: bus.server, logger: false });
  await app.listen();

  const port = await freePort();
  // --profile=<dir>: a CPU profile of the orchestrator, written when it exits.
  const profile = args.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
  let orchestrator: ChildProcess | undefined;
  const output: string[] = [];
  const floorDb = new DataSource({ type: 'postgres', url: databaseUrl, poolSize: 2, logging: false });

  try {
    await waitFor(() => bus.health().ready, 20_000, 'the bench bus');
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    orchestrator = spawn(process.execPath, [...nodeArgs, ORCHESTRATOR_MAIN], {
      env: {
        NATS_URL: natsUrl,
        DATABASE_URL: databaseUrl,
        AVIARY_SUBJECT_ROOT: names.subjectRoot,
        AVIARY_STREAM_PREFIX: names.streamPrefix,
        AVIARY_SCHEMA_PREFIX: schemaPrefix,
        ORCHESTRATOR_PORT: String(port),
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    orchestrator.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    orchestrator.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200,
      60_000,
      'the orchestrator',
    );

    // The floor: one PostgreSQL commit, then one JetStream publish that a consumer receives.
    await floorDb.initialize();
    await floorDb.query(`create schema "${floorSchema}"`);
    await floorDb.query(
      `create table "${floorSchema}".t (id bigint generated always as identity, data jsonb)`,
    );
    const floorSamples: number[] = [];
    const floorCommand = (n: number): StageCommandData => ({
      executionId: `floor-${n}`,
      stageId: 's',
      attempt: 1,
      application: 'bench',
      stageType: 'quality-gate',
      trigger: { kind: 'push', provider: 'github', repository: 'r', ref: 'refs/heads/main', sha: SHA },
      settings: {},
      inputs: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    let floorSeq = 0;
    const measureFloor = async (count: number, keep: boolean) => {
      for (let i = 0; i < count; i++) {
        const n = floorSeq++;
        const started = performance.now();
        await floorDb.transaction((manager) =>
          manager.query(`insert into "${floorSchema}".t (data) values ($1)`, [{ n }]),
        );
        const arrival = recorder.nextFloor();
        await bus.client.publish(StageCommands.quality.gate, floorCommand(n));
        const at = await arrival;
        if (keep) floorSamples.push(at - started);
      }
    };
    await measureFloor(50, false);

    const push = async (application: string, branch: string) => {
      const before = performance.now();
      await bus.client.publish(WebhookReceived, {
        deliveryId: crypto.randomUUID(),
        application,
        receivedAt: new Date().toISOString(),
        trigger: {
          kind: 'push',
          provider: 'github',
          repository: `https://example.com/${application}`,
          ref: `refs/heads/${branch}`,
          branch,
          sha: SHA,
        },
      });
      return before;
    };
    const executionIds = async (application: string, expected: number): Promise<string[]> => {
      let ids: string[] = [];
      await waitFor(
        async () => {
          const found: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await bus.client.query(ListExecutions, {
              application,
              limit: 200,
              ...(cursor ? { cursor } : {}),
            });
            found.push(...page.executions.map((e) => e.executionId));
            cursor = page.nextCursor;
          } while (cursor);
          ids = found;
          return found.length >= expected;
        },
        120_000,
        `${expected} executions of ${application}`,
      );
      return ids;
    };

    // (a) 20 sequential stages, one execution at a time (the first run warms up and is not counted).
    const sequentialApp = 'bench-sequential';
    recorder.files.set(sequentialApp, pipelineYaml(sequentialApp, SEQUENTIAL_STAGES));
    const transitions: number[] = [];
    const endToEnd: number[] = [];
    // The floor is measured between the runs, so that both see the same load on the machine.
    for (let run = 0; run <= runs; run++) {
      if (run > 0) await measureFloor(Math.ceil(FLOOR_SAMPLES / runs), true);
      const pushedAt = await push(sequentialApp, 'main');
      const [id] = (await executionIds(sequentialApp, run + 1)).slice(0, 1);
      await recorder.whenEnded(id!);
      if (run === 0) continue;
      endToEnd.push(recorder.ended.get(id!)!.at - pushedAt);
      for (let i = 2; i <= SEQUENTIAL_STAGES; i++)
        transitions.push(recorder.arrived.get(`${id}/s${i}`)! - recorder.answered.get(`${id}/s${i - 1}`)!);
    }
    progress('(a) done');
    const floorP50 = percentile(floorSamples, 0.5);
    const transitionP50 = percentile(transitions, 0.5);
    const transitionP99 = percentile(transitions, 0.99);

    // (b) many executions of 5 stages at once, each on its own branch (no queueing behind each other).
    const concurrentApp = 'bench-concurrent';
    recorder.files.set(concurrentApp, pipelineYaml(concurrentApp, CONCURRENT_STAGES));
    const pushedAt = new Map<string, number>();
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: executions }, async (_, i) =>
        pushedAt.set(`b${i}`, await push(concurrentApp, `b${i}`)),
      ),
    );
    const ids = await executionIds(concurrentApp, executions);
    await Promise.race([
      Promise.all(ids.map((id) => recorder.whenEnded(id))),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('(b) did not finish within 10 minutes')), 600_000).unref(),
      ),
    ]);
    progress('(b) done');
    const elapsedMs = Math.max(...ids.map((id) => recorder.ended.get(id)!.at)) - startedAt;
    const slowestMs =
      Math.max(...ids.map((id) => recorder.ended.get(id)!.at)) - Math.min(...pushedAt.values());
    const succeeded = ids.filter((id) => recorder.ended.get(id)?.status === 'SUCCEEDED').length;
    let lost = 0;
    let duplicated = 0;
    for (const id of ids)
      for (let stage = 1; stage <= CONCURRENT_STAGES; stage++) {
        const receipts = recorder.receipts.get(`${id}/s${stage}#1`) ?? 0;
        if (receipts === 0) lost++;
        if (receipts > 1) duplicated += receipts - 1;
      }
    const concurrentIds = new Set(ids);
    const extraAttempts = [...recorder.receipts.keys()].filter(
      (key) => concurrentIds.has(key.slice(0, key.indexOf('/'))) && !key.endsWith('#1'),
    ).length;
    const perSecond = executions / (elapsedMs / 1000);

    const ratio = transitionP50 / floorP50;
    console.log(
      `orchestrator benchmark: the orchestrator as its own process, a stub worker answering at once, ${natsUrl}; ` +
        'transition = the worker publishes a stage result -> it receives the next stage command ' +
        '(orchestrator consume, one transaction with the outbox, relay publish, worker consume)',
    );
    console.log('');
    console.log('measure                                              |        value');
    console.log(`${'-'.repeat(53)}|${'-'.repeat(14)}`);
    const row = (label: string, value: string) => console.log(`${label.padEnd(53)}| ${value.padStart(12)}`);
    row('floor: PostgreSQL commit + JetStream publish, p50', ms(floorP50));
    row('floor: p99', ms(percentile(floorSamples, 0.99)));
    row(
      `(a) ${SEQUENTIAL_STAGES} sequential stages, end to end, p50 of ${runs}`,
      ms(percentile(endToEnd, 0.5)),
    );
    row('(a) per transition, p50', ms(transitionP50));
    row('(a) per transition, p99', ms(transitionP99));
    row('(a) transition p50 / floor p50', `${ratio.toFixed(2)}x`);
    row(`(b) ${executions} executions x ${CONCURRENT_STAGES} stages, executions/s`, perSecond.toFixed(1));
    row('(b) slowest execution, end to end', ms(slowestMs));
    row('(b) succeeded', String(succeeded));
    row('(b) stage commands lost / duplicated', `${lost} / ${duplicated}`);
    console.log('');
    const met =
      ratio <= GOAL_RATIO &&
      lost === 0 &&
      duplicated === 0 &&
      extraAttempts === 0 &&
      succeeded === executions;
    console.log(
      JSON.stringify({
        bench: 'orchestrator',
        figures: {
          floor_p50_ms: round(floorP50),
          floor_p99_ms: round(percentile(floorSamples, 0.99)),
          sequential_stages: SEQUENTIAL_STAGES,
          sequential_end_to_end_p50_ms: round(percentile(endToEnd, 0.5)),
          transition_p50_ms: round(transitionP50),
          transition_p99_ms: round(transitionP99),
          transition_p50_over_floor: round(ratio),
          concurrent_executions: executions,
          concurrent_executions_per_s: round(perSecond),
          concurrent_slowest_ms: round(slowestMs),
          concurrent_succeeded: succeeded,
          stages_lost: lost,
          stages_duplicated: duplicated,
        },
        goal: `per-transition p50 within ${GOAL_RATIO}x of the floor (one JetStream publish + one PostgreSQL commit); ${executions} concurrent ${CONCURRENT_STAGES}-stage executions with zero lost or duplicated stages`,
        met,
      }),
    );
  } catch (error) {
    process.stderr.write(`orchestrator output:\n${output.slice(-50).join('')}\n`);
    throw error;
  } finally {
    progress('cleaning up');
    if (profile) process.stderr.write(`orchestrator output (last lines):\n${output.slice(-20).join('')}\n`);
    orchestrator?.kill('SIGTERM');
    await app.close();
    await bus.close();
    if (floorDb.isInitialized) await floorDb.destroy();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}orchestrator`).catch(() => undefined);
    await dropSchema(databaseUrl, floorSchema).catch(() => undefined);
  }
}
