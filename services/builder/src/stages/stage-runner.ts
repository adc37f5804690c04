import { StageEvents, type StageCommandData, type StageRef } from '@aviary/events';
import { type BusClient } from '@aviary/messaging';
import { type Database, enqueueMessage, handleOnce, type OutboxRelay } from '@aviary/persistence';
import { type Logger } from 'pino';
import { type EntityManager } from 'typeorm';
import { CheckoutError } from '../git/git-errors.js';
import { LiveLog } from '../logs/live-log.js';
import { LOGS_BUCKET } from '../logs/log-chunks.js';
import { Masker } from '../logs/masker.js';
import { StageLog } from '../logs/stage-log.js';
import { type StopReason, stopReasonOf } from '../steps/executor.js';
import { type Claim, type RunStatus, type StageRuns } from '../store/stage-runs.js';
import { StageFailure } from './stage-failure.js';

export interface StageWork {
  command: StageCommandData;
  log: StageLog;
  /** Fires when the attempt must stop: cancelled, or past its deadline. */
  signal: AbortSignal;
  /** Replaces the log's masker, once the step's environment (and so its secrets) is known. */
  maskWith: (masker: Masker) => void;
  progress: (message: string, percent?: number) => void;
}

export interface RunnerOptions {
  owner: string;
  heartbeatMs: number;
  logFlushMs: number;
  logLinesPerSecond: number;
  secrets: Record<string, string>;
}

function keyOf(ref: StageRef): string {
  return `${ref.executionId}/${ref.stageId}/${ref.attempt}`;
}

function humanMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

/** Stage types whose attempt simply starts over when the builder running it died. */
const RESTARTABLE_AFTER_A_CRASH = new Set(['checkout']);

/** Thrown to the bus when the builder stops mid-attempt: the command is redelivered to another replica. */
export class HandedBack extends Error {}

function stoppedFailure(stop: StopReason): StageFailure {
  switch (stop.kind) {
    case 'timeout':
      return new StageFailure(
        'timeout',
        `timed out after ${humanMs(stop.afterMs)} (the stage's timeout); its processes were stopped`,
        { retryable: true },
      );
    case 'cancelled':
      return new StageFailure('cancelled', `cancelled: ${stop.reason}; its processes were stopped`);
    case 'shutdown':
      throw new HandedBack('the builder is shutting down; the attempt goes back to the queue');
  }
}

/** A masker that can be swapped once the step's secrets are known. */
class SwappableMasker extends Masker {
  current: Masker;
  constructor(initial: Masker) {
    super([]);
    this.current = initial;
  }
  override mask(text: string): string {
    return this.current.mask(text);
  }
}

/**
 * Runs one stage attempt from command to result: claims it (a redelivered command for an attempt
 * done or running elsewhere does nothing), says it started, keeps a heartbeat, stops it on cancel or
 * at its deadline, stores its whole log, and publishes exactly one result through the outbox.
 */
export class StageRunner {
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly db: Database,
    private readonly runs: StageRuns,
    private readonly bus: BusClient,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
    private readonly options: RunnerOptions,
  ) {}

  async execute(
    command: StageCommandData,
    causationid: string,
    work: (context: StageWork) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    const ref: StageRef = {
      executionId: command.executionId,
      stageId: command.stageId,
      attempt: command.attempt,
    };
    const key = keyOf(ref);
    const meta = { source: '/aviary/builder', correlationid: command.executionId, causationid };
    const claim = await this.claim(command, ref, meta);
    if (claim.decision === 'skip') {
      this.logger.info({ stage: key, reason: claim.reason }, 'stage command ignored');
      return;
    }
    this.relay.poke();

    const controller = new AbortController();
    this.active.set(key, controller);
    const remaining = Date.parse(command.deadline) - Date.now();
    const deadline = setTimeout(
      () => controller.abort({ kind: 'timeout', afterMs: Math.max(0, remaining) } satisfies StopReason),
      Math.max(0, remaining),
    );
    const heartbeat = setInterval(() => {
      this.runs.heartbeat(ref, this.options.owner).then(
        (cancelReason) => {
          if (cancelReason && !controller.signal.aborted)
            controller.abort({ kind: 'cancelled', reason: cancelReason } satisfies StopReason);
        },
        (error: unknown) => this.logger.warn({ stage: key, err: error }, 'heartbeat failed'),
      );
    }, this.options.heartbeatMs);

    const masker = new SwappableMasker(new Masker(Object.values(this.options.secrets)));
    const log = new StageLog({
      ref,
      store: this.bus.objects(LOGS_BUCKET),
      live: new LiveLog((line) => this.bus.publishLog(line), {
        flushMs: this.options.logFlushMs,
        linesPerSecond: this.options.logLinesPerSecond,
      }),
      masker,
      onStored: (lines) => this.runs.storedLines(ref, lines),
    });
    // A step whose builder died may have run wholly or in part, and its processes may still be
    // running on that machine: running it again would run it twice. Only a checkout (which writes
    // nothing but the workspace) starts over; any other attempt fails, and the stage's retries, if
    // it has any, run it again as a new attempt that everyone can see.
    const lost =
      claim.decision === 'resume' && !claim.released && !RESTARTABLE_AFTER_A_CRASH.has(command.stageType)
        ? new StageFailure(
            'worker-lost',
            `the builder running this attempt (${claim.previousOwner}) stopped without handing it back; ` +
              'its step may have run in part, so it is not run again',
            { retryable: true },
          )
        : undefined;
    if (claim.decision === 'resume')
      log.system(`taking over from builder ${claim.previousOwner}, which stopped`);

    let outputs: Record<string, unknown> = {};
    let failure: StageFailure | undefined = lost;
    const started = Date.now();
    try {
      if (!lost)
        outputs = await work({
          command,
          log,
          signal: controller.signal,
          maskWith: (next) => (masker.current = next),
          progress: (message, percent) => this.progress(ref, message, percent, meta),
        });
      const stop = stopReasonOf(controller.signal);
      if (stop) failure = stoppedFailure(stop);
    } catch (error) {
      const stop = stopReasonOf(controller.signal);
      failure = stop ? stoppedFailure(stop) : this.asFailure(error, key);
    } finally {
      clearTimeout(deadline);
      clearInterval(heartbeat);
      this.active.delete(key);
      if (controller.signal.aborted && stopReasonOf(controller.signal)?.kind === 'shutdown') {
        await log.close().catch(() => undefined);
        await this.runs.release(ref, this.options.owner);
      }
    }
    if (failure) log.system(`failed after ${humanMs(Date.now() - started)}: ${failure.message}`);
    else log.system(`succeeded in ${humanMs(Date.now() - started)}`);
    let lines: number;
    try {
      lines = await log.close();
    } catch (error) {
      this.logger.error({ stage: key, err: error }, 'could not store the whole log');
      lines = log.lines;
    }
    await this.report(
      ref,
      key,
      meta,
      failure,
      failure ? { ...outputs, ...failure.options.outputs } : outputs,
      lines,
    );
  }

  /**
   * Claims the attempt. While another replica holds it and still proves it is alive, the command is
   * kept (the bus extends it) and the claim tried again each heartbeat: a command comes back only
   * when its first delivery was lost, so that replica most likely died, and acknowledging the
   * command now would leave the attempt to nobody. Past the command's deadline the orchestrator has
   * timed the attempt out, and the command is dropped.
   */
  private async claim(
    command: StageCommandData,
    ref: StageRef,
    meta: { source: string; correlationid: string; causationid: string },
  ): Promise<Exclude<Claim, { decision: 'busy' }>> {
    const key = keyOf(ref);
    for (let waited = false; ; waited = true) {
      const claim = await this.runs.claim(
        ref,
        command.stageType,
        this.options.owner,
        this.options.heartbeatMs * 5,
        (manager) =>
          enqueueMessage(
            manager,
            StageEvents.builder.started,
            { ...ref, worker: `builder/${this.options.owner}`, startedAt: new Date().toISOString() },
            { ...meta, id: `${key}/started/${this.options.owner}` },
          ),
      );
      if (claim.decision !== 'busy') return claim;
      if (Date.now() > Date.parse(command.deadline))
        return { decision: 'skip', reason: `the attempt ran on ${claim.owner} past its deadline` };
      if (!waited)
        this.logger.info(
          { stage: key, owner: claim.owner },
          'stage command redelivered while another builder holds the attempt: waiting for it to end or go silent',
        );
      await new Promise((resolve) => setTimeout(resolve, this.options.heartbeatMs));
    }
  }

  /** Stops an attempt running here; else records the cancel for the replica that runs it (or will). */
  async cancel(ref: StageRef, reason: string): Promise<void> {
    const controller = this.active.get(keyOf(ref));
    if (controller) {
      controller.abort({ kind: 'cancelled', reason } satisfies StopReason);
      return;
    }
    const outcome = await this.runs.requestCancel(ref, reason);
    this.logger.info({ stage: keyOf(ref), outcome }, 'cancel recorded');
  }

  /**
   * Stops every attempt running here because the builder stops: their processes are killed, no
   * result is published and their commands are not acknowledged, so another replica runs them again.
   */
  handBackAll(): void {
    for (const controller of this.active.values())
      controller.abort({ kind: 'shutdown' } satisfies StopReason);
  }

  private asFailure(error: unknown, key: string): StageFailure {
    if (error instanceof StageFailure) return error;
    if (error instanceof CheckoutError)
      return new StageFailure(error.code, error.message, { retryable: error.retryable });
    this.logger.error({ stage: key, err: error }, 'stage failed unexpectedly');
    return new StageFailure(
      'builder-error',
      `the builder failed: ${(error as Error).message ?? String(error)}`,
      {
        retryable: true,
      },
    );
  }

  private progress(
    ref: StageRef,
    message: string,
    percent: number | undefined,
    meta: { source: string; correlationid: string; causationid: string },
  ): void {
    this.bus
      .publish(
        StageEvents.builder.progress,
        { ...ref, message, ...(percent === undefined ? {} : { percent }) },
        meta,
      )
      .catch((error: unknown) => this.logger.debug({ err: error }, 'progress not published'));
  }

  private async report(
    ref: StageRef,
    key: string,
    meta: { source: string; correlationid: string; causationid: string },
    failure: StageFailure | undefined,
    outputs: Record<string, unknown>,
    lines: number,
  ): Promise<void> {
    const now = new Date().toISOString();
    const status: RunStatus = failure ? (failure.code === 'cancelled' ? 'cancelled' : 'failed') : 'succeeded';
    const clean = JSON.parse(JSON.stringify(outputs)) as Record<string, unknown>;
    await this.db.transaction(async (manager: EntityManager) => {
      if (!(await handleOnce(manager, 'builder.stage-result', key))) return;
      await this.runs.finish(manager, ref, status, lines);
      const resultMeta = { ...meta, id: `${key}/result` };
      if (failure)
        await enqueueMessage(
          manager,
          StageEvents.builder.failed,
          {
            ...ref,
            failedAt: now,
            error: {
              message: failure.message,
              code: failure.code,
              retryable: failure.options.retryable ?? false,
              ...(failure.options.details ? { details: failure.options.details } : {}),
            },
            outputs: clean,
          },
          resultMeta,
        );
      else
        await enqueueMessage(
          manager,
          StageEvents.builder.completed,
          { ...ref, completedAt: now, outputs: clean },
          resultMeta,
        );
    });
    this.relay.poke();
  }
}
