import { type NotificationSettings, type WorkerKind } from '@aviary/events';

/**
 * The pipeline after parsing, preset expansion and validation: what the orchestrator runs. Durations
 * are milliseconds, every default is filled in, and every reference has been checked.
 */

export const STAGE_TYPES = [
  'checkout',
  'run',
  'quality-gate',
  'build-image',
  'deploy',
  'canary-deploy',
  'canary-analysis',
  'promote',
  'rollback',
  'manual-judgment',
  'check-precondition',
  'wait',
  'notify',
] as const;
export type StageType = (typeof STAGE_TYPES)[number];

/** Which service runs a stage type, with which command; `orchestrator` stages run inside it. */
export const STAGE_RUNNERS: Record<StageType, { worker: WorkerKind; action: string } | 'orchestrator'> = {
  checkout: { worker: 'builder', action: 'checkout' },
  run: { worker: 'builder', action: 'run' },
  'build-image': { worker: 'builder', action: 'build-image' },
  'quality-gate': { worker: 'quality', action: 'gate' },
  deploy: { worker: 'deployer', action: 'deploy' },
  'canary-deploy': { worker: 'deployer', action: 'canary-deploy' },
  promote: { worker: 'deployer', action: 'promote' },
  rollback: { worker: 'deployer', action: 'rollback' },
  'canary-analysis': { worker: 'canary', action: 'analyze' },
  notify: { worker: 'notifier', action: 'notify-stage' },
  'manual-judgment': 'orchestrator',
  'check-precondition': 'orchestrator',
  wait: 'orchestrator',
};

export const STAGE_STATUSES = [
  'NOT_STARTED',
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'FAILED',
  'FAILED_CONTINUE',
  'CANCELED',
  'SKIPPED',
  'TERMINAL',
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** The statuses a stage can end in; `if: { statuses: FINISHED_STATUSES }` runs a stage whatever happened before. */
export const FINISHED_STATUSES = [
  'SUCCEEDED',
  'FAILED',
  'FAILED_CONTINUE',
  'CANCELED',
  'SKIPPED',
  'TERMINAL',
] as const satisfies readonly StageStatus[];

/**
 * What a stage's failure (after its retries) does to the execution:
 * - `fail`: the stage is FAILED and the execution fails; no further stage starts except those whose
 *   `when.statuses` admit the failure (a rollback, a final notify), which the preset relies on.
 * - `rollback`: as `fail`, and the deployment the stage made (deploy, canary-deploy, promote) is
 *   rolled back to the version before it.
 * - `pause-and-notify`: the execution is PAUSED and people are told; they restart the stage or cancel.
 * - `ignore`: the stage ends FAILED_CONTINUE and its dependants run as if it had succeeded.
 */
export type OnFailure = 'fail' | 'rollback' | 'pause-and-notify' | 'ignore';

export interface RetryPolicy {
  /** Attempts after the first one. */
  max: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  factor: number;
}

/**
 * When a stage runs (`if:` in the file): every part given must hold. A stage whose condition is false
 * is SKIPPED (and its dependants may still run).
 */
export interface StageCondition {
  /** Glob patterns of branches (`main`, `release/*`); absent = any branch. */
  branches?: string[];
  /** Statuses the stage's dependencies must all have; absent = all SUCCEEDED (or SKIPPED). */
  statuses?: StageStatus[];
  /** An expression of the precondition language (parseExpression), already checked by parsePipeline. */
  expression?: string;
}

export interface ResolvedStage {
  id: string;
  name: string;
  type: StageType;
  dependsOn: string[];
  when?: StageCondition;
  timeoutMs: number;
  retries: RetryPolicy;
  onFailure: OnFailure;
  /**
   * The type's own settings, defaults filled in (typed by `settingsOf(stage, type)`; durations in
   * milliseconds). String values may hold `${stages.<id>.outputs.<name>}` and `${trigger.<field>}`
   * references, resolved by the orchestrator just before dispatch (`resolveTemplates`).
   */
  settings: Record<string, unknown>;
}

export interface ResolvedPipeline {
  /** Pipeline name (the preset's `name`, or `name:` in the file). */
  name: string;
  /** The preset the stages were expanded from, when the file used one. */
  preset?: 'node-service';
  /** What a new push to a branch with a running execution does: wait for it, or cancel it. */
  concurrency: 'queue' | 'cancel';
  triggers: {
    /** Glob patterns of branches whose pushes start the pipeline; absent = every branch. */
    branches?: string[];
    /** Whether tag pushes start it (true = any tag, or glob patterns of tags). */
    tags: boolean | string[];
  };
  /**
   * Whole-execution timeout; the watchdog fails an execution that outlives it. Default: the longest
   * dependency chain of stage timeouts, with every retry and backoff.
   */
  timeoutMs: number;
  /** The file's `notifications:` section (the notifier applies it to the executions). */
  notifications?: NotificationSettings;
  /** In an order they can run in (dependencies first), ties kept in the file's order. */
  stages: ResolvedStage[];
}
