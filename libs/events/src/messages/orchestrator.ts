import { z } from 'zod';
import { defineCommand, defineEvent, defineQuery } from '../contract.js';
import { ApplicationName, GitSha, Id, JsonRecord, Timestamp, Trigger } from './common.js';
import { ExecutionRef, ExecutionStatus } from './execution.js';

/** Every status a stage can be in (the orchestrator's status machine says which changes are allowed). */
export const StageStatus = z.enum([
  'NOT_STARTED',
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'FAILED',
  'FAILED_CONTINUE',
  'CANCELED',
  'SKIPPED',
  'TERMINAL',
]);

/** Who asked: a user name, or `aviary` when the orchestrator decided by itself. */
const Actor = z.string().min(1).max(200);

export const CancelExecution = defineCommand({
  path: 'orchestrator.cancel-execution',
  description:
    'Stop an execution in whatever state it is: it ends CANCELED at once and its running stages get a cancel command.',
  schema: z.object({
    executionId: Id,
    user: Actor,
    reason: z.string().min(1).max(2000).optional(),
  }),
});

export const RestartStage = defineCommand({
  path: 'orchestrator.restart-stage',
  description:
    'Run a failed, cancelled or paused stage again, with what follows it; stages that succeeded are kept.',
  schema: z.object({ executionId: Id, stageId: Id, user: Actor }),
});

export const TriggerExecution = defineCommand({
  path: 'orchestrator.trigger-execution',
  description:
    'Start an execution by hand for a branch at a commit, as a push would; the pipeline is read at that commit. `executionId` (made up by the caller) names the new execution, so the caller can point at it at once and a repeated command starts one execution.',
  schema: z.object({
    executionId: Id.optional(),
    application: ApplicationName,
    repository: z.string().min(1),
    branch: z.string().min(1),
    sha: GitSha,
    user: Actor,
    message: z.string().max(2000).optional(),
  }),
});

export const ExecutionStageChanged = defineEvent({
  path: 'execution.stage-changed',
  description:
    'A stage of an execution changed status (`from` -> `to`); RUNNING -> RUNNING is a new attempt after a failed one. `outputs` are the stage outputs so far.',
  schema: z.object({
    executionId: Id,
    application: ApplicationName,
    stageId: Id,
    stageType: z.string().min(1),
    attempt: z.int().min(0),
    from: StageStatus,
    to: StageStatus,
    reason: z.string().optional(),
    outputs: JsonRecord,
    at: Timestamp,
  }),
});

export const ExecutionPaused = defineEvent({
  path: 'execution.paused',
  description:
    'Nothing runs and at least one stage waits for a person: a manual judgment, or a failure under `onFailure: pause-and-notify`.',
  schema: ExecutionRef.extend({
    stageId: Id.optional(),
    reason: z.string().min(1),
    pausedAt: Timestamp,
  }),
});

export const ExecutionResumed = defineEvent({
  path: 'execution.resumed',
  description: 'A paused or ended execution runs again: a judgment was given, or a person restarted a stage.',
  schema: ExecutionRef.extend({
    resumedBy: Actor,
    reason: z.string().min(1),
    resumedAt: Timestamp,
  }),
});

export const ExecutionSummary = z.object({
  executionId: Id,
  application: ApplicationName,
  /** Absent until the pipeline file has been read. */
  pipeline: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  sha: GitSha,
  status: ExecutionStatus,
  /** Why it is in that status: queued behind another, which stage failed, who cancelled. */
  reason: z.string().optional(),
  trigger: Trigger,
  createdAt: Timestamp,
  startedAt: Timestamp.optional(),
  endedAt: Timestamp.optional(),
  durationMs: z.int().min(0).optional(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

export const StageAttemptView = z.object({
  attempt: z.int().min(1),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']),
  /** The worker that reported starting it, when one did. */
  worker: z.string().optional(),
  dispatchedAt: Timestamp,
  startedAt: Timestamp.optional(),
  endedAt: Timestamp.optional(),
  deadline: Timestamp.optional(),
  error: z.string().optional(),
  outputs: JsonRecord,
});

export const StageView = z.object({
  stageId: Id,
  name: z.string(),
  type: z.string().min(1),
  dependsOn: z.array(Id),
  status: StageStatus,
  /** Number of the latest attempt; 0 before the first. */
  attempt: z.int().min(0),
  reason: z.string().optional(),
  outputs: JsonRecord,
  startedAt: Timestamp.optional(),
  endedAt: Timestamp.optional(),
  durationMs: z.int().min(0).optional(),
  attempts: z.array(StageAttemptView),
});

export const ExecutionHistoryEntry = z.object({
  at: Timestamp,
  actor: Actor,
  action: z.string().min(1),
  stageId: Id.optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  detail: z.string().optional(),
});

export const ExecutionDetail = ExecutionSummary.extend({
  concurrency: z.enum(['queue', 'cancel']).optional(),
  timeoutMs: z.int().min(0).optional(),
  stages: z.array(StageView),
  history: z.array(ExecutionHistoryEntry),
});
export type ExecutionDetail = z.infer<typeof ExecutionDetail>;

export const ListExecutions = defineQuery({
  path: 'orchestrator.list-executions',
  description:
    'Executions, newest first, filtered by application, branch and status; `total` counts every match, `nextCursor` fetches the next page.',
  schema: z.object({
    application: ApplicationName.optional(),
    branch: z.string().min(1).optional(),
    status: z.array(ExecutionStatus).min(1).optional(),
    limit: z.int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(200).optional(),
  }),
  replySchema: z.object({
    executions: z.array(ExecutionSummary),
    total: z.int().min(0),
    nextCursor: z.string().optional(),
  }),
});

export const GetExecution = defineQuery({
  path: 'orchestrator.get-execution',
  description:
    'One execution with its stages, attempts, outputs, timestamps, trigger, and the history of who did what.',
  schema: z.object({ executionId: Id }),
  replySchema: z.discriminatedUnion('found', [
    z.object({ found: z.literal(true), execution: ExecutionDetail }),
    z.object({ found: z.literal(false) }),
  ]),
});
