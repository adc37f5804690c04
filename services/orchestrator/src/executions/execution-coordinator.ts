import { ExecutionCreated, ReadRepositoryFile, type Trigger } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { Database, DatabaseUnavailableError, OutboxRelay, handleOnce } from '@aviary/persistence';
import { formatErrors, parsePipeline, type ResolvedPipeline } from '@aviary/pipeline-spec';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { type Logger } from 'pino';
import { type EntityManager } from 'typeorm';
import { type OrchestratorConfig } from '../config/orchestrator-config.js';
import { Changes } from '../engine/changes.js';
import { humanDuration } from '../engine/durations.js';
import { ExecutionRun, SYSTEM_ACTOR, type Outcome } from '../engine/execution-run.js';
import { type PipelineLanguage } from '../engine/pipeline-language.js';
import { concurrencyGroup, triggerStarts } from '../pipelines/trigger-match.js';
import {
  ConcurrentChange,
  ExecutionStore,
  type DueTimer,
  type Enqueued,
  type LockedExecution,
} from '../store/execution-store.js';
import { Wakeup } from '../timers/wakeup.js';
import { Slots } from './slots.js';
import { ORCHESTRATOR_CONFIG, PIPELINE_LANGUAGE } from './tokens.js';

export const PIPELINE_FILE = '.aviary/pipeline.yaml';
const INBOX_CONSUMER = 'orchestrator';
const MAX_TRIES = 6;
// Serialization failures and deadlocks are retried like a concurrent change.
const RETRYABLE_CODES = new Set(['40001', '40P01']);

export interface StepOptions {
  actor?: string;
  causationid?: string;
  /** Handle once: an id of the message that asked (a command's envelope id). */
  once?: string;
  /** Runs under the row lock before the step; false skips the step (a timer another replica took). */
  claim?: (manager: EntityManager) => Promise<boolean>;
}

type Resolution =
  | { kind: 'pipeline'; pipeline: ResolvedPipeline }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unreachable'; reason: string };

function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentChange) return true;
  const code = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/**
 * The orchestrator's use cases: every change to an execution is one transaction that locks the
 * execution's row, lets the engine decide, and writes the state and the messages it causes together
 * (the outbox relay publishes them). Bus handlers and the timer loop only translate into these.
 */
@Injectable()
export class ExecutionCoordinator {
  private readonly slots: Slots;

  constructor(
    private readonly db: Database,
    private readonly bus: BusClient,
    private readonly relay: OutboxRelay,
    private readonly store: ExecutionStore,
    private readonly wakeup: Wakeup,
    @Inject(PIPELINE_LANGUAGE) private readonly language: PipelineLanguage,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.slots = new Slots(config.maxTransactions);
  }

  /** One step of one execution, under its row lock; undefined when the execution does not exist. */
  step(
    executionId: string,
    options: StepOptions,
    op: (run: ExecutionRun, locked: LockedExecution) => Outcome,
  ): Promise<Outcome | undefined> {
    return this.transaction(async (manager, now) => {
      if (options.once !== undefined && !(await handleOnce(manager, INBOX_CONSUMER, options.once)))
        return { outcome: { applied: false, reason: 'handled already' } as Outcome };
      const locked = await this.store.lock(manager, executionId);
      if (!locked) return undefined;
      if (options.claim && !(await options.claim(manager))) return undefined;
      const run = new ExecutionRun(locked.state, this.language, now, options.actor);
      const outcome = op(run, locked);
      return { outcome, writes: [{ locked, changes: run.changes }] };
    }, options.causationid);
  }

  /** A push (or a person) asks for an execution: it is recorded, then its pipeline is read. */
  async trigger(
    request: { executionId: string; application: string; trigger: Trigger; triggerKey: string },
    options: { causationid?: string; once?: string },
  ): Promise<boolean> {
    const created = await this.withDatabase(() =>
      this.db.transaction(async (manager) => {
        if (options.once !== undefined && !(await handleOnce(manager, INBOX_CONSUMER, options.once)))
          return false;
        return this.store.create(manager, {
          id: request.executionId,
          application: request.application,
          trigger: request.trigger,
          triggerKey: request.triggerKey,
          concurrencyGroup: concurrencyGroup(request.application, request.trigger),
          createdAt: new Date(),
        });
      }),
    );
    if (created) this.wakeup.now();
    return created;
  }

  /** Runs a due timer. */
  async fire(timer: DueTimer): Promise<void> {
    switch (timer.kind) {
      case 'resolve-pipeline':
        return this.resolve(timer);
      case 'group-next':
        return this.startNext(timer);
      default: {
        const claim = (manager: EntityManager) => this.store.takeTimer(manager, timer.id);
        await this.step(timer.executionId, { claim }, (run) =>
          run.timer({ kind: timer.kind as 'stage-timeout', stageId: timer.stageId, attempt: timer.attempt }),
        );
      }
    }
  }

  /**
   * Fires the execution's due timers first (a replica that was down, or a stalled timer loop, is not
   * a stuck execution), then lets the engine judge, knowing which timers are still to come.
   */
  async watchdog(executionId: string): Promise<Outcome | undefined> {
    const due = await this.withDatabase(() =>
      this.store.dueTimersOf(this.db.dataSource.manager, executionId),
    );
    for (const timer of due) await this.fire(timer);
    return this.transaction(async (manager, now) => {
      const locked = await this.store.lock(manager, executionId);
      if (!locked) return undefined;
      const pending = await this.store.pendingTimers(manager, executionId);
      const run = new ExecutionRun(locked.state, this.language, now);
      const outcome = run.watchdog(this.config.watchdogGraceMs, pending);
      return { outcome, writes: [{ locked, changes: run.changes }] };
    });
  }

  async repairOrphans(): Promise<void> {
    const repaired = await this.withDatabase(() =>
      this.db.transaction((manager) => this.store.repairOrphans(manager)),
    );
    if (repaired > 0) {
      this.logger.warn({ repaired }, 'watchdog: re-created lost queue hand-overs or pipeline reads');
      this.wakeup.now();
    }
  }

  // --- reading the pipeline, concurrency -------------------------------------------------------

  /**
   * Reads the pipeline at the pushed commit (outside any transaction: the builder may be slow), then
   * stores it and decides, under the branch's lock, whether the execution starts, queues, or cancels
   * the one running; a read that fails is tried again later, then the execution ends TERMINAL.
   */
  private async resolve(timer: DueTimer): Promise<void> {
    const leased = await this.withDatabase(() =>
      this.store.leaseTimer(this.db.dataSource.manager, timer.id, this.config.timerLeaseMs),
    );
    if (!leased) return;
    const row = await this.withDatabase(() =>
      this.db.dataSource.manager.query<
        { application: string; trigger: Trigger; concurrency_group: string }[]
      >(
        `select application, trigger, concurrency_group from "${this.db.schema}"."executions"
         where id = $1 and status = 'NOT_STARTED' and pipeline is null`,
        [timer.executionId],
      ),
    );
    const target = row[0];
    if (!target) {
      await this.db.transaction((manager) => this.store.takeTimer(manager, timer.id));
      return;
    }
    const resolution = await this.read(target.application, target.trigger);
    await this.transaction(async (manager, now) => {
      await this.store.lockGroup(manager, target.concurrency_group);
      const locked = await this.store.lock(manager, timer.executionId);
      if (!(await this.store.takeTimer(manager, timer.id)) || !locked) return undefined;
      if (locked.state.status !== 'NOT_STARTED' || locked.state.pipeline) return undefined;

      if (resolution.kind === 'unreachable') {
        const attempts = locked.resolveAttempts + 1;
        if (attempts < this.config.resolveAttempts) {
          await this.store.recordResolveFailure(manager, locked.state.id);
          const delayMs = Math.min(this.config.resolveRetryMs * 2 ** (attempts - 1), 5 * 60_000);
          const run = new ExecutionRun(locked.state, this.language, now);
          run.changes.history.push({
            at: now,
            actor: SYSTEM_ACTOR,
            action: 'pipeline-read-failed',
            detail: `${resolution.reason}; trying again in ${humanDuration(delayMs)}`,
          });
          run.changes.timersToAdd.push({
            kind: 'resolve-pipeline',
            dueAt: new Date(now.getTime() + delayMs),
          });
          return { outcome: { applied: true }, writes: [{ locked, changes: run.changes }] };
        }
        return this.terminal(
          locked,
          now,
          `could not read ${PIPELINE_FILE} after ${attempts} tries: ${resolution.reason}`,
        );
      }
      if (resolution.kind === 'invalid') return this.terminal(locked, now, resolution.reason);

      const { pipeline } = resolution;
      if (!triggerStarts(pipeline, locked.state.trigger, (p, b) => this.language.branchMatches(p, b))) {
        this.logger.info(
          { executionId: locked.state.id, ref: locked.state.trigger.ref },
          'the pipeline does not run for this push; no execution',
        );
        await this.store.delete(manager, locked.state.id);
        return undefined;
      }
      const resolved = await this.store.setPipeline(manager, locked, pipeline);
      const created = new ExecutionRun(resolved.state, this.language, now);
      created.changes.messages.push({
        contract: ExecutionCreated,
        data: {
          executionId: resolved.state.id,
          application: resolved.state.application,
          pipeline: pipeline.name,
          trigger: resolved.state.trigger,
          stages: pipeline.stages.map((stage) => ({
            stageId: stage.id,
            type: stage.type,
            dependsOn: stage.dependsOn,
          })),
          createdAt: resolved.state.createdAt.toISOString(),
          ...(pipeline.notifications === undefined ? {} : { notifications: pipeline.notifications }),
        },
      });
      return this.admit(manager, resolved, created, now);
    });
  }

  /** Starts a resolved execution, or queues it, or cancels those ahead of it (`concurrency: cancel`). */
  private async admit(
    manager: EntityManager,
    locked: LockedExecution,
    run: ExecutionRun,
    now: Date,
  ): Promise<{ outcome: Outcome; writes: { locked: LockedExecution; changes: Changes }[] }> {
    const pipeline = locked.state.pipeline!;
    const others = await this.store.activeInGroup(manager, locked.concurrencyGroup, locked.state.id);
    const writes: { locked: LockedExecution; changes: Changes }[] = [];
    if (others.length > 0 && pipeline.concurrency === 'queue') {
      const ahead = others.at(-1)!;
      locked.state.reason = `queued behind ${ahead.id} (${ahead.status}) on ${locked.state.trigger.ref}`;
      run.changes.execution = true;
      run.changes.history.push({
        at: now,
        actor: SYSTEM_ACTOR,
        action: 'queued',
        detail: locked.state.reason,
      });
      return { outcome: { applied: true }, writes: [{ locked, changes: run.changes }] };
    }
    for (const other of others) {
      const previous = await this.store.lock(manager, other.id);
      if (!previous) continue;
      const cancel = new ExecutionRun(previous.state, this.language, now);
      cancel.cancel(`superseded by ${locked.state.id}, a newer push to ${locked.state.trigger.ref}`);
      writes.push({ locked: previous, changes: cancel.changes });
    }
    const outcome = run.start();
    writes.push({ locked, changes: run.changes });
    return { outcome, writes };
  }

  /** A branch's queue moves on: its oldest waiting execution starts if nothing runs. */
  private async startNext(timer: DueTimer): Promise<void> {
    const group = timer.concurrencyGroup;
    await this.transaction(async (manager, now) => {
      if (group) await this.store.lockGroup(manager, group);
      if (!(await this.store.takeTimer(manager, timer.id)) || !group) return undefined;
      const waiting = await this.store.activeInGroup(manager, group, '');
      if (waiting.length === 0 || waiting.some((execution) => execution.status !== 'NOT_STARTED'))
        return undefined;
      const next = await this.store.lock(manager, waiting[0]!.id);
      if (!next) return undefined;
      const run = new ExecutionRun(next.state, this.language, now);
      return { outcome: run.start(), writes: [{ locked: next, changes: run.changes }] };
    });
  }

  private terminal(locked: LockedExecution, now: Date, reason: string) {
    const run = new ExecutionRun(locked.state, this.language, now);
    const outcome = run.terminate(reason);
    return { outcome, writes: [{ locked, changes: run.changes }] };
  }

  private async read(application: string, trigger: Trigger): Promise<Resolution> {
    let reply;
    try {
      reply = await this.bus.query(
        ReadRepositoryFile,
        { application, repository: trigger.repository, sha: trigger.sha, path: PIPELINE_FILE },
        { timeoutMs: this.config.fileQueryTimeoutMs },
      );
    } catch (error) {
      return { kind: 'unreachable', reason: (error as Error).message };
    }
    if (!reply.found)
      return { kind: 'invalid', reason: `no ${PIPELINE_FILE} at ${trigger.sha}: ${reply.reason}` };
    const parsed = parsePipeline(reply.content);
    if (!parsed.ok)
      return {
        kind: 'invalid',
        reason: `invalid ${PIPELINE_FILE}:\n${formatErrors(parsed.errors, PIPELINE_FILE)}`,
      };
    return { kind: 'pipeline', pipeline: parsed.pipeline };
  }

  // --- transactions ----------------------------------------------------------------------------

  /**
   * Runs `work` in a transaction, writes what it decided, then pokes the relay and the timer loop.
   * A concurrent change (another replica, or a deadlock) retries the whole step on fresh state.
   */
  private async transaction(
    work: (
      manager: EntityManager,
      now: Date,
    ) => Promise<{ outcome: Outcome; writes?: { locked: LockedExecution; changes: Changes }[] } | undefined>,
    causationid?: string,
  ): Promise<Outcome | undefined> {
    for (let tries = 1; ; tries++) {
      try {
        const enqueued: Enqueued[] = [];
        const result = await this.withDatabase(() =>
          this.slots.run(() =>
            this.db.transaction(async (manager) => {
              enqueued.length = 0;
              const now = new Date();
              const done = await work(manager, now);
              for (const { locked, changes } of done?.writes ?? []) {
                if (changes.empty) continue;
                const written = await this.store.apply(manager, locked, changes, {
                  now,
                  watchdogGraceMs: this.config.watchdogGraceMs,
                  ...(causationid === undefined ? {} : { causationid }),
                });
                enqueued.push(...written);
              }
              return done;
            }),
          ),
        );
        this.afterCommit(result?.writes ?? [], enqueued);
        return result?.outcome;
      } catch (error) {
        if (tries >= MAX_TRIES || !isRetryable(error)) throw error;
        this.logger.debug({ err: error, tries }, 'execution changed concurrently; trying again');
      }
    }
  }

  /**
   * The relay publishes what the step enqueued at once (the next stage's command is on the path of
   * every transition); the timer loop learns of timers due soon.
   */
  private afterCommit(writes: { changes: Changes }[], enqueued: Enqueued[]): void {
    this.relay.publishCommitted(enqueued);
    for (const { changes } of writes) {
      for (const timer of changes.timersToAdd) this.wakeup.at(timer.dueAt);
      if (changes.groupNext) this.wakeup.now();
    }
  }

  /** Waits for a database that is (re)connecting rather than failing the message at once. */
  private async withDatabase<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      await this.db.ready(30_000);
      return work();
    }
  }
}
