import { type WorkerKind } from '@aviary/events';

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

export type OnFailure = 'fail' | 'rollback' | 'pause-and-notify' | 'ignore';

export interface RetryPolicy {
  /** Attempts after the first one. */
  max: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  factor: number;
}

/** When a stage runs; a stage whose condition is false is SKIPPED (and its dependants may still run). */
export interface StageCondition {
  /** Glob patterns of branches (`main`, `release/*`); absent = any branch. */
  branches?: string[];
  /** Statuses the stage's dependencies must all have; absent = all SUCCEEDED (or SKIPPED). */
  statuses?: StageStatus[];
  /** An expression of the precondition language (see expression.ts), already parsed once to check it. */
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
   * The type's own settings, defaults filled in. String values may hold `${stages.<id>.outputs.<name>}`
   * and `${trigger.<field>}` references, resolved by the orchestrator just before dispatch.
   */
  settings: Record<string, unknown>;
}

export interface ResolvedPipeline {
  /** Pipeline name (the preset's `name`, or `name:` in the file). */
  name: string;
  /** What a new push to a branch with a running execution does: wait for it, or cancel it. */
  concurrency: 'queue' | 'cancel';
  triggers: {
    /** Glob patterns of branches whose pushes start the pipeline; absent = every branch. */
    branches?: string[];
    /** Whether tag pushes start it (true = any tag, or glob patterns of tags). */
    tags: boolean | string[];
  };
  /** Whole-execution timeout; the watchdog fails an execution that outlives it. */
  timeoutMs: number;
  stages: ResolvedStage[];
}
