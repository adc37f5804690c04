import {
  ExecutionCancelled,
  ExecutionCompleted,
  ExecutionFailed,
  ExecutionPaused,
  ExecutionResumed,
  ExecutionStageChanged,
  ExecutionStarted,
  JudgmentGiven,
  JudgmentRequested,
  NotificationRequested,
  StageCommands,
  type DataOf,
  type MessageContract,
  type StageCommandData,
} from '@aviary/events';
import {
  STAGE_RUNNERS,
  type ExecutionContext,
  type StageStatus,
  type StageType,
} from '@aviary/pipeline-spec';
import {
  dependantsOf,
  isHalted,
  plan,
  retryDelayMs,
  stagesToStopOnHalt,
} from '../scheduling/dag-scheduler.js';
import {
  assertExecutionTransition,
  assertStageTransition,
  isFinalExecution,
  isFinalStage,
  type ExecutionStatus,
} from '../status/status-machine.js';
import { Changes, message, type AttemptStatus } from './changes.js';
import { humanDuration } from './durations.js';
import { pipelineName, statusesOf, type ExecutionState, type StageState } from './execution-state.js';
import { type PipelineLanguage } from './pipeline-language.js';

/** The actor of what the orchestrator decides by itself. */
export const SYSTEM_ACTOR = 'aviary';

/**
 * The pipeline timeout fires this long after the pipeline's timeout: its default is the sum of the
 * stage timeouts on the longest path, and a stage that times out must fail as itself, not be cut
 * short by the pipeline's timer due at the same instant.
 */
export const PIPELINE_TIMEOUT_SLACK_MS = 1_000;

export type Outcome = { applied: true } | { applied: false; reason: string };

/**
 * An attempt whose worker died in the middle of it (`worker-lost`: its builder was killed) is run
 * again as a new attempt, this many times at most, besides the stage's own retries, and soon: the
 * machine failed, not the stage.
 */
export const WORKER_LOST_RETRIES = 2;
const WORKER_LOST_RETRY_MS = 1_000;

const APPLIED: Outcome = { applied: true };
const ignored = (reason: string): Outcome => ({ applied: false, reason });

export interface Judgment {
  stageId: string;
  decision: 'approve' | 'reject';
  user: string;
  comment?: string;
  via: 'ui' | 'api' | 'slack' | 'cli';
}

export interface TimerFired {
  kind: 'stage-timeout' | 'stage-retry' | 'wait-done' | 'execution-timeout';
  stageId: string | null;
  attempt: number | null;
}

type WorkerRunner = Exclude<(typeof STAGE_RUNNERS)[StageType], 'orchestrator'>;

/** The envelope id of the command of one stage attempt: JetStream and the outbox keep it once. */
export function stageCommandId(executionId: string, stageId: string, attempt: number): string {
  return `${executionId}/${stageId}/${attempt}/run`;
}

function stageCancelId(executionId: string, stageId: string, attempt: number): string {
  return `${executionId}/${stageId}/${attempt}/cancel`;
}

function workerOf(type: StageType): WorkerRunner | undefined {
  const runner = STAGE_RUNNERS[type];
  return runner === 'orchestrator' ? undefined : runner;
}

function commandContract(runner: WorkerRunner): MessageContract<typeof StageCommandData> {
  const commands = StageCommands[runner.worker] as Record<string, MessageContract<typeof StageCommandData>>;
  const contract = commands[runner.action];
  if (!contract) throw new Error(`no command ${runner.worker}.${runner.action}`);
  return contract;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One step of one execution: what happens when a result, a timer, a person or the watchdog reaches
 * it. Pure: it changes the state it was given and records in `changes` what to write and send, and
 * every status change goes through the status machine. The repository loads the state under a row
 * lock and writes the changes in one transaction.
 */
export class ExecutionRun {
  readonly changes = new Changes();
  private readonly now: Date;

  constructor(
    private readonly state: ExecutionState,
    private readonly language: PipelineLanguage,
    now: Date,
    private readonly actor: string = SYSTEM_ACTOR,
  ) {
    this.now = now;
  }

  get active(): boolean {
    return !isFinalExecution(this.state.status);
  }

  /** The pipeline was read and the execution may run: its first stages start. */
  start(): Outcome {
    const { state } = this;
    if (state.status !== 'NOT_STARTED' || !state.pipeline) return ignored(`it is ${state.status}`);
    this.setExecution('RUNNING', null);
    state.startedAt = this.now;
    this.send(ExecutionStarted, { ...this.ref(), startedAt: this.iso() });
    this.changes.timersToAdd.push({
      kind: 'execution-timeout',
      dueAt: this.after(state.pipeline.timeoutMs + PIPELINE_TIMEOUT_SLACK_MS),
    });
    this.advance();
    return APPLIED;
  }

  stageStarted(stageId: string, attempt: number, worker: string, at: Date): Outcome {
    const stage = this.state.stages.get(stageId);
    if (!stage || stage.status !== 'RUNNING' || stage.attempt !== attempt || stage.waitingFor !== 'worker')
      return ignored(`not waiting for attempt ${attempt} of ${stageId}`);
    this.changes.attempts.push({ stageId, attempt, worker, startedAt: at });
    return APPLIED;
  }

  stageCompleted(stageId: string, attempt: number, outputs: Record<string, unknown>): Outcome {
    const stage = this.waitingWorker(stageId, attempt);
    if (!stage) return ignored(`not waiting for attempt ${attempt} of ${stageId}`);
    this.endAttempt(stage, 'SUCCEEDED', { outputs });
    stage.outputs = outputs;
    this.setStage(stage, 'SUCCEEDED', null);
    this.advance();
    return APPLIED;
  }

  stageFailed(
    stageId: string,
    attempt: number,
    error: { message: string; code?: string; retryable?: boolean },
    outputs: Record<string, unknown>,
  ): Outcome {
    const stage = this.waitingWorker(stageId, attempt);
    if (!stage) return ignored(`not waiting for attempt ${attempt} of ${stageId}`);
    this.endAttempt(stage, 'FAILED', { outputs, error: error.message });
    stage.outputs = { ...stage.outputs, ...outputs };
    this.attemptFailed(stage, error.message, {
      workerLost: error.code === 'worker-lost',
      ...(error.retryable === false ? { notRetryable: error.code ?? 'the worker' } : {}),
    });
    this.advance();
    return APPLIED;
  }

  timer(fired: TimerFired): Outcome {
    if (!this.active) return ignored(`the execution is ${this.state.status}`);
    if (fired.kind === 'execution-timeout') {
      const timeoutMs = this.state.pipeline?.timeoutMs ?? 0;
      this.terminate(`the pipeline timed out after ${humanDuration(timeoutMs)}`);
      return APPLIED;
    }
    const stage = fired.stageId === null ? undefined : this.state.stages.get(fired.stageId);
    if (!stage) return ignored(`no stage ${fired.stageId}`);
    switch (fired.kind) {
      case 'stage-timeout':
        return this.stageTimedOut(stage, fired.attempt);
      case 'stage-retry':
        return this.retry(stage, fired.attempt);
      case 'wait-done':
        return this.waitDone(stage, fired.attempt);
    }
  }

  cancel(reason: string | undefined): Outcome {
    const { state } = this;
    if (!this.active) {
      this.history('cancel-ignored', { detail: `the execution had already ended ${state.status}` });
      return ignored(`it already ended ${state.status}`);
    }
    const why = reason ?? `cancelled by ${this.actor}`;
    for (const stage of state.stages.values()) {
      if (stage.status === 'RUNNING' || stage.status === 'PAUSED') this.stopStage(stage, 'CANCELED', why);
    }
    this.setExecution('CANCELED', why);
    this.end();
    this.send(ExecutionCancelled, {
      ...this.ref(),
      cancelledAt: this.iso(),
      cancelledBy: this.actor,
      reason: why,
    });
    return APPLIED;
  }

  /** Ends the execution TERMINAL: what runs is stopped, and a cancel goes to each busy worker. */
  terminate(reason: string): Outcome {
    if (!this.active) return ignored(`it already ended ${this.state.status}`);
    for (const stage of this.state.stages.values()) {
      if (stage.status === 'RUNNING' || stage.status === 'PAUSED') this.stopStage(stage, 'TERMINAL', reason);
    }
    this.setExecution('TERMINAL', reason);
    this.end();
    this.send(ExecutionFailed, {
      ...this.ref(),
      failedAt: this.iso(),
      durationMs: this.durationMs(),
      reason,
    });
    return APPLIED;
  }

  /**
   * Runs a stage again with the stages that follow it. Other stages that failed, were cancelled or
   * stopped run again too (otherwise the pipeline would stop at them at once); what succeeded is
   * kept, outputs included.
   */
  restart(stageId: string): Outcome {
    const { state } = this;
    const pipeline = state.pipeline;
    const stage = state.stages.get(stageId);
    if (!pipeline || !stage) return ignored(`no stage ${stageId}`);
    if (!['FAILED', 'TERMINAL', 'CANCELED', 'PAUSED'].includes(state.status))
      return this.refuse('restart', stageId, `the execution is ${state.status}`);
    if (!['FAILED', 'TERMINAL', 'CANCELED', 'FAILED_CONTINUE', 'PAUSED'].includes(stage.status))
      return this.refuse('restart', stageId, `${stageId} is ${stage.status}`);

    const roots = [...state.stages.values()]
      .filter(
        (other) =>
          other.id === stageId ||
          ['FAILED', 'TERMINAL', 'CANCELED'].includes(other.status) ||
          (other.cause !== null && other.status !== 'NOT_STARTED'),
      )
      .map((other) => other.id);
    const reset = new Set(roots.flatMap((id) => [id, ...dependantsOf(pipeline, id)]));
    const wasEnded = isFinalExecution(state.status);
    const why = `${stageId} restarted by ${this.actor}`;
    for (const id of reset) {
      const target = state.stages.get(id);
      if (!target || target.status === 'NOT_STARTED' || target.status === 'RUNNING') continue;
      if (target.waitingFor === 'judgment') this.endAttempt(target, 'CANCELED', {});
      this.setStage(target, 'NOT_STARTED', why);
    }
    this.setExecution('RUNNING', why);
    state.endedAt = null;
    this.send(ExecutionResumed, { ...this.ref(), resumedBy: this.actor, reason: why, resumedAt: this.iso() });
    if (wasEnded)
      this.changes.timersToAdd.push({
        kind: 'execution-timeout',
        dueAt: this.after(pipeline.timeoutMs + PIPELINE_TIMEOUT_SLACK_MS),
      });
    this.advance();
    return APPLIED;
  }

  judge(judgment: Judgment): Outcome {
    const stage = this.state.stages.get(judgment.stageId);
    if (!this.active)
      return this.refuse('judgment', judgment.stageId, `the execution is ${this.state.status}`);
    if (!stage || stage.status !== 'PAUSED')
      return this.refuse('judgment', judgment.stageId, `${judgment.stageId} does not wait for a decision`);
    const { decision, user, comment, via } = judgment;
    const said = comment ? `: ${comment}` : '';
    this.send(JudgmentGiven, {
      executionId: this.state.id,
      stageId: stage.id,
      decision,
      user,
      ...(comment === undefined ? {} : { comment }),
      via,
      decidedAt: this.iso(),
    });
    this.changes.timersToClear.add(stage.id);
    if (stage.waitingFor === 'judgment') {
      const outputs = { decision, user, ...(comment === undefined ? {} : { comment }) };
      this.endAttempt(stage, decision === 'approve' ? 'SUCCEEDED' : 'FAILED', { outputs });
      stage.outputs = outputs;
      if (decision === 'approve') this.setStage(stage, 'SUCCEEDED', `approved by ${user}${said}`);
      else this.failed(stage, `rejected by ${user}${said}`);
    } else if (decision === 'approve') {
      this.setStage(stage, 'FAILED_CONTINUE', `${user} let the pipeline go on${said}`);
    } else {
      this.halt(stage, `${user} stopped the pipeline${said}`);
    }
    this.advance();
    return APPLIED;
  }

  /**
   * The watchdog found the execution past the moment it should have progressed. It schedules again
   * (a lost step resumes); if nothing moves and no timer of the execution is left to move it (its due
   * timers were fired just before), the execution ends TERMINAL with what was overdue.
   */
  watchdog(graceMs: number, pendingTimers: readonly Date[]): Outcome {
    if (!this.active || this.state.status === 'NOT_STARTED') return ignored(`it is ${this.state.status}`);
    this.advance();
    if (!this.changes.empty) return APPLIED;
    if (pendingTimers.length > 0) {
      // A timer will move it (it was away, not lost): look again once the first one is overdue.
      const first = Math.min(...pendingTimers.map((due) => due.getTime()));
      this.changes.execution = true;
      this.changes.watchdogAt = new Date(Math.max(first, this.now.getTime()) + graceMs);
      return ignored('a timer is pending');
    }
    const deadline = watchdogDeadline(this.state, graceMs, this.now);
    if (deadline && deadline > this.now) {
      // Not overdue after all (the row's deadline was stale): write the right one back.
      this.changes.execution = true;
      return ignored('not overdue');
    }
    this.terminate(`stopped by the watchdog: ${this.overdue()}`);
    return APPLIED;
  }

  // --- scheduling -----------------------------------------------------------------------------

  /** Starts, skips and settles until nothing more can happen now. */
  private advance(): void {
    const { state } = this;
    if (!state.pipeline || !this.active || state.status === 'NOT_STARTED') return;
    for (let round = 0; round <= state.stages.size * 4; round++) {
      const next = plan({
        pipeline: state.pipeline,
        statuses: statusesOf(state),
        branch: state.trigger.branch,
        branchMatches: (patterns, branch) => this.language.branchMatches(patterns, branch),
        evaluate: (expression) => this.language.evaluate(expression, this.context()),
      });
      if (next.decisions.length === 0) {
        this.settle(next.outcome);
        return;
      }
      for (const decision of next.decisions) {
        const stage = this.stage(decision.stageId);
        if (decision.kind === 'skip') {
          stage.cause = decision.afterFailure ? 'halted' : null;
          this.setStage(stage, 'SKIPPED', decision.reason);
        } else if (decision.kind === 'fail') {
          stage.attempt += 1;
          this.setStage(stage, 'RUNNING', null);
          this.changes.attempts.push({
            stageId: stage.id,
            attempt: stage.attempt,
            status: 'FAILED',
            dispatchedAt: this.now,
            endedAt: this.now,
            error: decision.reason,
          });
          this.failed(stage, decision.reason);
        } else this.startStage(stage, decision.cause);
      }
    }
    throw new Error(`execution ${state.id}: scheduling did not settle`);
  }

  private settle(outcome: ReturnType<typeof plan>['outcome']): void {
    const { state } = this;
    if (outcome.kind === 'running') {
      if (state.status === 'PAUSED') {
        this.setExecution('RUNNING', null);
        this.send(ExecutionResumed, {
          ...this.ref(),
          resumedBy: this.actor,
          reason: this.actor === SYSTEM_ACTOR ? 'a paused stage ended' : `${this.actor} decided`,
          resumedAt: this.iso(),
        });
      }
      return;
    }
    if (outcome.kind === 'paused') {
      if (state.status === 'PAUSED') return;
      const waiting = [...state.stages.values()].find((stage) => stage.status === 'PAUSED');
      const reason = waiting?.reason ?? 'a stage waits for a decision';
      this.setExecution('PAUSED', reason);
      this.send(ExecutionPaused, {
        ...this.ref(),
        ...(waiting ? { stageId: waiting.id } : {}),
        reason,
        pausedAt: this.iso(),
      });
      return;
    }
    if (outcome.status === 'SUCCEEDED') {
      this.setExecution('SUCCEEDED', null);
      this.end();
      this.send(ExecutionCompleted, {
        ...this.ref(),
        completedAt: this.iso(),
        durationMs: this.durationMs(),
      });
      return;
    }
    const failed = outcome.stageId === undefined ? undefined : state.stages.get(outcome.stageId);
    const reason = failed ? `stage ${failed.id} failed: ${failed.reason ?? 'no reason given'}` : 'failed';
    this.setExecution(outcome.status, reason);
    this.end();
    this.send(ExecutionFailed, {
      ...this.ref(),
      failedAt: this.iso(),
      durationMs: this.durationMs(),
      ...(failed ? { failedStageId: failed.id } : {}),
      reason,
    });
  }

  private startStage(stage: StageState, cause: 'ready' | 'rollback'): void {
    stage.attempt += 1;
    stage.retriesUsed = 0;
    stage.cause = cause === 'rollback' ? 'rollback' : null;
    stage.outputs = {};
    this.setStage(stage, 'RUNNING', cause === 'rollback' ? 'rolling back after a failure' : null);
    this.runAttempt(stage);
  }

  /** Does what the stage's type does, for its current attempt. */
  private runAttempt(stage: StageState): void {
    const { definition } = stage;
    const timeoutMs = definition.timeoutMs;
    const runner = workerOf(definition.type);
    if (runner) {
      this.dispatch(stage, runner);
      return;
    }
    this.changes.attempts.push({
      stageId: stage.id,
      attempt: stage.attempt,
      status: 'RUNNING',
      dispatchedAt: this.now,
      deadline: this.after(timeoutMs),
      settings: definition.settings,
    });
    switch (definition.type) {
      case 'wait': {
        const durationMs = Number(definition.settings['duration'] ?? 0);
        stage.waitingFor = 'wait';
        stage.dueAt = this.after(durationMs);
        this.changes.timersToAdd.push({
          kind: 'wait-done',
          stageId: stage.id,
          attempt: stage.attempt,
          dueAt: stage.dueAt,
        });
        if (timeoutMs < durationMs) this.addStageTimeout(stage, timeoutMs);
        this.changes.stages.add(stage.id);
        return;
      }
      case 'manual-judgment': {
        const instructions = definition.settings['instructions'];
        const roles = definition.settings['roles'];
        stage.waitingFor = 'judgment';
        stage.dueAt = this.after(timeoutMs);
        this.addStageTimeout(stage, timeoutMs);
        this.setStage(stage, 'PAUSED', `waits for a judgment until ${stage.dueAt.toISOString()}`);
        this.send(JudgmentRequested, {
          executionId: this.state.id,
          stageId: stage.id,
          application: this.state.application,
          instructions: typeof instructions === 'string' ? instructions : `Approve ${definition.name}?`,
          allowedRoles: Array.isArray(roles) ? roles.filter((role) => typeof role === 'string') : [],
          expiresAt: stage.dueAt.toISOString(),
        });
        return;
      }
      case 'check-precondition': {
        const failure = this.precondition(stage);
        if (failure === undefined) {
          this.endAttempt(stage, 'SUCCEEDED', {});
          this.setStage(stage, 'SUCCEEDED', null);
        } else {
          this.endAttempt(stage, 'FAILED', { error: failure });
          this.attemptFailed(stage, failure);
        }
        return;
      }
      default:
        throw new Error(`stage type ${definition.type} has no runner`);
    }
  }

  private precondition(stage: StageState): string | undefined {
    const expressions = stage.definition.settings['expressions'];
    const list = Array.isArray(expressions) ? expressions.filter((e) => typeof e === 'string') : [];
    const context = this.context();
    for (const expression of list) {
      try {
        if (!this.language.evaluate(expression, context)) return `precondition is false: ${expression}`;
      } catch (error) {
        return `cannot evaluate ${expression}: ${errorMessage(error)}`;
      }
    }
    return undefined;
  }

  private dispatch(stage: StageState, runner: WorkerRunner): void {
    const { definition } = stage;
    const context = this.context();
    let settings: Record<string, unknown>;
    let inputs: Record<string, unknown>;
    try {
      settings = this.language.resolveSettings(definition.settings, context);
      inputs = this.language.inputsOf(definition.settings, context);
    } catch (error) {
      // A reference with no value will not get one by trying again: no retry.
      const reason = `cannot resolve its settings: ${errorMessage(error)}`;
      this.changes.attempts.push({
        stageId: stage.id,
        attempt: stage.attempt,
        status: 'FAILED',
        dispatchedAt: this.now,
        endedAt: this.now,
        error: reason,
      });
      this.failed(stage, reason);
      return;
    }
    const deadline = this.after(definition.timeoutMs);
    stage.waitingFor = 'worker';
    stage.dueAt = deadline;
    this.changes.stages.add(stage.id);
    this.changes.attempts.push({
      stageId: stage.id,
      attempt: stage.attempt,
      status: 'RUNNING',
      dispatchedAt: this.now,
      deadline,
      settings,
    });
    this.addStageTimeout(stage, definition.timeoutMs);
    // Commands go first in the outbox: the worker can start while the events follow.
    this.changes.messages.unshift(
      message(
        commandContract(runner),
        {
          executionId: this.state.id,
          stageId: stage.id,
          attempt: stage.attempt,
          application: this.state.application,
          stageType: definition.type,
          trigger: this.state.trigger,
          settings,
          inputs,
          deadline: deadline.toISOString(),
        },
        stageCommandId(this.state.id, stage.id, stage.attempt),
      ),
    );
  }

  private addStageTimeout(stage: StageState, timeoutMs: number): void {
    this.changes.timersToAdd.push({
      kind: 'stage-timeout',
      stageId: stage.id,
      attempt: stage.attempt,
      dueAt: this.after(timeoutMs),
    });
  }

  // --- failures, retries, timeouts -------------------------------------------------------------

  /**
   * An attempt failed: retry after a backoff while retries remain, else the stage failed. A lost
   * worker's attempt is retried first out of its own allowance ({@link WORKER_LOST_RETRIES}), so
   * that the stage's retries stay for its own failures. A failure its worker calls `notRetryable`
   * (a manifest the API server refuses, settings that do not parse, a gate or a canary that judged)
   * would fail the same way again: the retries would only delay it.
   */
  private attemptFailed(
    stage: StageState,
    reason: string,
    how: { workerLost?: boolean; notRetryable?: string } = {},
  ): void {
    this.changes.timersToClear.add(stage.id);
    const policy = stage.definition.retries;
    // The attempts so far that the stage's retries do not account for were lost workers' retries.
    const lostRetriesUsed = stage.attempt - 1 - stage.retriesUsed;
    const lostRetry = how.workerLost === true && lostRetriesUsed < WORKER_LOST_RETRIES;
    const retriesLeft = stage.retriesUsed < policy.max;
    if (lostRetry || (retriesLeft && how.notRetryable === undefined)) {
      if (!lostRetry) stage.retriesUsed += 1;
      const delayMs = lostRetry ? WORKER_LOST_RETRY_MS : retryDelayMs(policy, stage.retriesUsed);
      stage.waitingFor = 'retry';
      stage.dueAt = this.after(delayMs);
      this.changes.timersToAdd.push({
        kind: 'stage-retry',
        stageId: stage.id,
        attempt: stage.attempt + 1,
        dueAt: stage.dueAt,
      });
      this.setStage(
        stage,
        'RUNNING',
        `attempt ${stage.attempt} failed: ${reason}; attempt ${stage.attempt + 1} in ${humanDuration(delayMs)}`,
      );
      return;
    }
    this.failed(
      stage,
      retriesLeft && how.notRetryable !== undefined
        ? `${reason} (not retried: ${how.notRetryable} says a retry cannot help)`
        : reason,
    );
  }

  /** The stage failed for good: its `onFailure` says what happens to the pipeline. */
  private failed(stage: StageState, reason: string): void {
    this.changes.timersToClear.add(stage.id);
    switch (stage.definition.onFailure) {
      case 'ignore':
        this.setStage(stage, 'FAILED_CONTINUE', reason);
        return;
      case 'pause-and-notify': {
        const why = `${reason}; waits for a decision (restart, approve to go on, reject or cancel)`;
        if (stage.status === 'PAUSED') {
          stage.reason = why;
          this.changes.stages.add(stage.id);
        } else this.setStage(stage, 'PAUSED', why);
        stage.waitingFor = 'decision';
        stage.dueAt = null;
        this.send(NotificationRequested, {
          application: this.state.application,
          executionId: this.state.id,
          stageId: stage.id,
          attempt: Math.max(1, stage.attempt),
          severity: 'warning',
          title: `${this.state.application}: ${stage.definition.name} failed; the pipeline is paused`,
          text: why,
          fields: { pipeline: pipelineName(this.state), branch: this.state.trigger.branch ?? null },
        });
        return;
      }
      case 'fail':
      case 'rollback':
        this.halt(stage, reason);
    }
  }

  /** The stage failed the pipeline: the first such failure stops every other stage at work. */
  private halt(stage: StageState, reason: string): void {
    const statuses = statusesOf(this.state);
    const first = !isHalted(statuses);
    this.setStage(stage, 'FAILED', reason);
    if (!first) return;
    for (const id of stagesToStopOnHalt(statusesOf(this.state))) {
      this.stopStage(this.stage(id), 'CANCELED', `stage ${stage.id} failed`);
    }
  }

  private stageTimedOut(stage: StageState, attempt: number | null): Outcome {
    if (stage.attempt !== attempt || (stage.status !== 'RUNNING' && stage.status !== 'PAUSED'))
      return ignored(`${stage.id} is no longer at attempt ${attempt}`);
    const timeout = humanDuration(stage.definition.timeoutMs);
    if (stage.waitingFor === 'judgment') {
      const reason = `no judgment within ${timeout}`;
      this.endAttempt(stage, 'FAILED', { error: reason });
      this.failed(stage, reason);
    } else if (stage.waitingFor === 'worker' || stage.waitingFor === 'wait') {
      const reason = `timed out after ${timeout}`;
      this.cancelWork(stage, reason);
      this.endAttempt(stage, 'FAILED', { error: reason });
      this.attemptFailed(stage, reason);
    } else return ignored(`${stage.id} waits for ${stage.waitingFor}`);
    this.advance();
    return APPLIED;
  }

  private retry(stage: StageState, attempt: number | null): Outcome {
    if (stage.status !== 'RUNNING' || stage.waitingFor !== 'retry' || attempt !== stage.attempt + 1)
      return ignored(`${stage.id} does not wait to retry`);
    stage.attempt = attempt;
    this.setStage(stage, 'RUNNING', `attempt ${attempt} of ${stage.definition.retries.max + 1}`);
    this.runAttempt(stage);
    this.advance();
    return APPLIED;
  }

  private waitDone(stage: StageState, attempt: number | null): Outcome {
    if (stage.status !== 'RUNNING' || stage.waitingFor !== 'wait' || stage.attempt !== attempt)
      return ignored(`${stage.id} is not waiting`);
    this.endAttempt(stage, 'SUCCEEDED', {});
    this.setStage(stage, 'SUCCEEDED', null);
    this.advance();
    return APPLIED;
  }

  /** Stops a running or paused stage (cancel, halt, timeout of the pipeline). */
  private stopStage(stage: StageState, to: 'CANCELED' | 'TERMINAL', reason: string): void {
    if (stage.waitingFor !== 'retry' && stage.waitingFor !== 'decision') {
      this.cancelWork(stage, reason);
      this.endAttempt(stage, 'CANCELED', {});
    }
    this.setStage(stage, to, reason);
  }

  /** Tells the worker of a running attempt to stop; it may be gone, so nothing waits for it. */
  private cancelWork(stage: StageState, reason: string): void {
    const runner = workerOf(stage.definition.type);
    if (!runner || stage.waitingFor !== 'worker') return;
    this.changes.messages.push(
      message(
        StageCommands[runner.worker].cancel,
        { executionId: this.state.id, stageId: stage.id, attempt: stage.attempt, reason },
        stageCancelId(this.state.id, stage.id, stage.attempt),
      ),
    );
  }

  private overdue(): string {
    const late = [...this.state.stages.values()]
      .filter((stage) => stage.status === 'RUNNING' || stage.status === 'PAUSED')
      .map((stage) => {
        const since = stage.startedAt ? ` since ${stage.startedAt.toISOString()}` : '';
        const due = stage.dueAt ? `, due by ${stage.dueAt.toISOString()}` : '';
        return `${stage.id} (attempt ${stage.attempt}) ${stage.status} waiting for ${stage.waitingFor ?? 'nothing'}${since}${due}`;
      });
    const pipeline = this.state.pipeline;
    const deadline =
      pipeline && this.state.startedAt
        ? `; pipeline timeout ${humanDuration(pipeline.timeoutMs)} from ${this.state.startedAt.toISOString()}`
        : '';
    return `no progress: ${late.length > 0 ? late.join('; ') : 'no stage runs and none can start'}${deadline}`;
  }

  // --- writing ---------------------------------------------------------------------------------

  private waitingWorker(stageId: string, attempt: number): StageState | undefined {
    const stage = this.state.stages.get(stageId);
    if (!stage || stage.status !== 'RUNNING' || stage.waitingFor !== 'worker' || stage.attempt !== attempt)
      return undefined;
    return stage;
  }

  private setStage(stage: StageState, to: StageStatus, reason: string | null): void {
    const from = stage.status;
    assertStageTransition(stage.id, from, to);
    stage.status = to;
    stage.reason = reason;
    if (to === 'RUNNING' && from === 'NOT_STARTED') {
      stage.startedAt = this.now;
      stage.endedAt = null;
    }
    if (to === 'NOT_STARTED') {
      stage.retriesUsed = 0;
      stage.cause = null;
      stage.outputs = {};
      stage.startedAt = null;
      stage.endedAt = null;
    }
    if (isFinalStage(to) || to === 'NOT_STARTED') {
      stage.waitingFor = null;
      stage.dueAt = null;
      this.changes.timersToClear.add(stage.id);
    }
    if (isFinalStage(to)) stage.endedAt = this.now;
    this.changes.stages.add(stage.id);
    this.send(ExecutionStageChanged, {
      executionId: this.state.id,
      application: this.state.application,
      stageId: stage.id,
      stageType: stage.definition.type,
      attempt: stage.attempt,
      from,
      to,
      ...(reason === null ? {} : { reason }),
      outputs: stage.outputs,
      at: this.iso(),
    });
    this.history('stage', { stageId: stage.id, from, to, ...(reason === null ? {} : { detail: reason }) });
  }

  private setExecution(to: ExecutionStatus, reason: string | null): void {
    const from = this.state.status;
    assertExecutionTransition(from, to);
    this.state.status = to;
    this.state.reason = reason;
    this.changes.execution = true;
    this.history('execution', { from, to, ...(reason === null ? {} : { detail: reason }) });
  }

  private end(): void {
    this.state.endedAt = this.now;
    this.changes.clearAllTimers = true;
    this.changes.groupNext = true;
  }

  private endAttempt(
    stage: StageState,
    status: AttemptStatus,
    extra: { outputs?: Record<string, unknown>; error?: string },
  ): void {
    this.changes.attempts.push({
      stageId: stage.id,
      attempt: stage.attempt,
      status,
      endedAt: this.now,
      ...extra,
    });
  }

  private refuse(what: string, stageId: string, why: string): Outcome {
    this.history(`${what}-refused`, { stageId, detail: why });
    return ignored(why);
  }

  private history(
    action: string,
    entry: { stageId?: string; from?: string; to?: string; detail?: string },
  ): void {
    this.changes.history.push({ at: this.now, actor: this.actor, action, ...entry });
  }

  private send<C extends MessageContract>(contract: C, data: DataOf<C>): void {
    this.changes.messages.push(message(contract, data));
  }

  private ref() {
    return {
      executionId: this.state.id,
      application: this.state.application,
      pipeline: pipelineName(this.state),
      trigger: this.state.trigger,
    };
  }

  private context(): ExecutionContext {
    const stages: ExecutionContext['stages'] = {};
    for (const stage of this.state.stages.values()) {
      if (stage.status !== 'NOT_STARTED') stages[stage.id] = { status: stage.status, outputs: stage.outputs };
    }
    return { stages, trigger: this.state.trigger };
  }

  private stage(id: string): StageState {
    const stage = this.state.stages.get(id);
    if (!stage) throw new Error(`execution ${this.state.id} has no stage ${id}`);
    return stage;
  }

  private after(ms: number): Date {
    return new Date(this.now.getTime() + ms);
  }

  private iso(): string {
    return this.now.toISOString();
  }

  private durationMs(): number {
    const from = this.state.startedAt ?? this.state.createdAt;
    return Math.max(0, this.now.getTime() - from.getTime());
  }
}

/**
 * When the watchdog should look at an execution that has not changed since: just after the latest
 * moment something it waits for is due (a stage timeout, a retry, the end of a wait), and never
 * later than just after the pipeline's own timeout. Null for an execution that ended or waits in a
 * queue.
 */
export function watchdogDeadline(state: ExecutionState, graceMs: number, now: Date): Date | null {
  if (isFinalExecution(state.status) || state.status === 'NOT_STARTED' || !state.pipeline) return null;
  const pipelineDeadline =
    (state.startedAt ?? now).getTime() + state.pipeline.timeoutMs + PIPELINE_TIMEOUT_SLACK_MS;
  const busy = [...state.stages.values()].filter(
    (stage) => stage.status === 'RUNNING' || stage.status === 'PAUSED',
  );
  // Nothing runs or waits, yet the execution has not ended: scheduling was lost; look again soon.
  if (busy.length === 0) return new Date(now.getTime() + graceMs);
  const dues = busy.map((stage) => stage.dueAt?.getTime() ?? pipelineDeadline);
  return new Date(Math.min(Math.max(...dues), pipelineDeadline) + graceMs);
}
