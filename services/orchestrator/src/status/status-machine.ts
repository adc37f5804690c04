import { type StageStatus } from '@aviary/pipeline-spec';

export type ExecutionStatus =
  'NOT_STARTED' | 'RUNNING' | 'PAUSED' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'TERMINAL';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'NOT_STARTED',
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'TERMINAL',
];

type Transitions<S extends string> = Readonly<Record<S, Readonly<Partial<Record<S, string>>>>>;

/**
 * Every change of an execution's status that is allowed, with what it means. TERMINAL is an end the
 * orchestrator imposed (pipeline timeout, the watchdog, a pipeline that cannot be read); FAILED is a
 * stage failure that stopped the pipeline.
 */
export const EXECUTION_TRANSITIONS: Transitions<ExecutionStatus> = {
  NOT_STARTED: {
    RUNNING: 'the pipeline was read and nothing runs ahead of it on its branch',
    CANCELED: 'cancelled while waiting (by a person, or superseded by a newer push)',
    TERMINAL: 'the pipeline could not be read or is invalid',
  },
  RUNNING: {
    PAUSED: 'nothing runs and a stage waits for a person',
    SUCCEEDED: 'every stage ended and none failed the pipeline',
    FAILED: 'a stage failed the pipeline and nothing runs any more',
    CANCELED: 'cancelled',
    TERMINAL: 'timed out, or stopped by the watchdog',
  },
  PAUSED: {
    RUNNING: 'a decision came, or a stage was restarted, and stages run again',
    SUCCEEDED: 'a decision let the last stage end well',
    FAILED: 'a decision (or its absence) failed the pipeline',
    CANCELED: 'cancelled',
    TERMINAL: 'timed out, or stopped by the watchdog',
  },
  SUCCEEDED: {},
  FAILED: { RUNNING: 'a stage was restarted' },
  CANCELED: { RUNNING: 'a stage was restarted' },
  TERMINAL: { RUNNING: 'a stage was restarted' },
};

/**
 * Every change of a stage's status that is allowed. RUNNING -> RUNNING is a new attempt after a
 * failed one; X -> NOT_STARTED is a restart (of the stage, or of one that it follows).
 */
export const STAGE_TRANSITIONS: Transitions<StageStatus> = {
  NOT_STARTED: {
    RUNNING: 'its dependencies ended and its condition holds',
    SKIPPED: 'its condition is false',
  },
  RUNNING: {
    RUNNING: 'an attempt failed and another one follows',
    PAUSED: 'it waits for a person (a judgment, or a decision after a failure)',
    SUCCEEDED: 'it ended well',
    FAILED: 'it failed (after its retries)',
    FAILED_CONTINUE: 'it failed and `onFailure: ignore` lets the pipeline go on',
    CANCELED: 'the execution was cancelled or another stage failed it',
    TERMINAL: 'the pipeline timed out or the watchdog stopped it',
  },
  PAUSED: {
    SUCCEEDED: 'approved',
    FAILED: 'rejected, or nobody decided in time',
    FAILED_CONTINUE: 'a person let the pipeline go on past its failure',
    CANCELED: 'the execution was cancelled or another stage failed it',
    TERMINAL: 'the pipeline timed out or the watchdog stopped it',
    NOT_STARTED: 'restarted',
  },
  SUCCEEDED: { NOT_STARTED: 'a stage it follows was restarted' },
  FAILED: { NOT_STARTED: 'restarted' },
  FAILED_CONTINUE: { NOT_STARTED: 'restarted' },
  CANCELED: { NOT_STARTED: 'restarted' },
  SKIPPED: { NOT_STARTED: 'a stage it follows was restarted' },
  TERMINAL: { NOT_STARTED: 'restarted' },
};

export class TransitionRefused extends Error {
  override readonly name = 'TransitionRefused';
}

export function canExecutionTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return EXECUTION_TRANSITIONS[from][to] !== undefined;
}

export function canStageTransition(from: StageStatus, to: StageStatus): boolean {
  return STAGE_TRANSITIONS[from][to] !== undefined;
}

export function assertExecutionTransition(from: ExecutionStatus, to: ExecutionStatus): void {
  if (!canExecutionTransition(from, to))
    throw new TransitionRefused(`an execution cannot go from ${from} to ${to}`);
}

export function assertStageTransition(stageId: string, from: StageStatus, to: StageStatus): void {
  if (!canStageTransition(from, to))
    throw new TransitionRefused(`stage ${stageId} cannot go from ${from} to ${to}`);
}

const FINAL_EXECUTION: ReadonlySet<ExecutionStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'TERMINAL',
]);
const FINAL_STAGE: ReadonlySet<StageStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'FAILED_CONTINUE',
  'CANCELED',
  'SKIPPED',
  'TERMINAL',
]);

/** An execution that has ended (it may still be restarted, except after success). */
export function isFinalExecution(status: ExecutionStatus): boolean {
  return FINAL_EXECUTION.has(status);
}

/** A stage that has ended: its dependants may be decided. */
export function isFinalStage(status: StageStatus): boolean {
  return FINAL_STAGE.has(status);
}

/** A stage that ended in a way that stops the pipeline. */
export function isStoppingStage(status: StageStatus): boolean {
  return status === 'FAILED' || status === 'TERMINAL';
}
