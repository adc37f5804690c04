import { type Trigger } from '@aviary/events';
import { type ResolvedPipeline, type ResolvedStage, type StageStatus } from '@aviary/pipeline-spec';
import { type ExecutionStatus } from '../status/status-machine.js';

/** What a RUNNING or PAUSED stage waits for. */
export type WaitingFor = 'worker' | 'retry' | 'wait' | 'judgment' | 'decision';

export interface StageState {
  readonly id: string;
  readonly definition: ResolvedStage;
  status: StageStatus;
  /** Number of the latest attempt; 0 before the first. */
  attempt: number;
  /** Retries spent since the stage last started from NOT_STARTED. */
  retriesUsed: number;
  waitingFor: WaitingFor | null;
  /**
   * `rollback`: started by a failed stage's `onFailure: rollback`; `halted`: skipped because a stage
   * failed the pipeline. A restart runs both again.
   */
  cause: 'rollback' | 'halted' | null;
  reason: string | null;
  outputs: Record<string, unknown>;
  startedAt: Date | null;
  endedAt: Date | null;
  /** When what the stage waits for must have happened (its timeout, its retry, the end of a wait). */
  dueAt: Date | null;
}

/** One execution as the engine sees it: loaded under a row lock, changed, written back in one transaction. */
export interface ExecutionState {
  readonly id: string;
  readonly application: string;
  readonly trigger: Trigger;
  /** Null until the pipeline file has been read. */
  readonly pipeline: ResolvedPipeline | null;
  status: ExecutionStatus;
  reason: string | null;
  readonly createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** In pipeline order. */
  readonly stages: Map<string, StageState>;
}

export function newStageState(definition: ResolvedStage): StageState {
  return {
    id: definition.id,
    definition,
    status: 'NOT_STARTED',
    attempt: 0,
    retriesUsed: 0,
    waitingFor: null,
    cause: null,
    reason: null,
    outputs: {},
    startedAt: null,
    endedAt: null,
    dueAt: null,
  };
}

export function statusesOf(state: ExecutionState): Record<string, StageStatus> {
  return Object.fromEntries([...state.stages.values()].map((stage) => [stage.id, stage.status]));
}

/** The name execution events carry: the pipeline's, or the file's before it could be read. */
export function pipelineName(state: ExecutionState): string {
  return state.pipeline?.name ?? '.aviary/pipeline.yaml';
}
