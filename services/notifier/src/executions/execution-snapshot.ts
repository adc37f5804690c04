import {
  type DataOf,
  type ExecutionCancelled,
  type ExecutionCompleted,
  type ExecutionCreated,
  type ExecutionFailed,
  type ExecutionPaused,
  type ExecutionResumed,
  type ExecutionStageChanged,
  type ExecutionStarted,
  type JudgmentGiven,
  type JudgmentRequested,
  type NotificationSettings,
  type ReleaseChanged,
  type StageCompletedData,
  type StageFailedData,
  type Trigger,
} from '@aviary/events';
import { type z } from 'zod';

export type ExecutionState = 'NOT_STARTED' | 'RUNNING' | 'PAUSED' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export interface StageState {
  id: string;
  type: string;
  status: string;
  attempt: number;
  /** When the status last changed: later changes win, whatever order the events came in. */
  at?: string;
  startedAt?: string;
  endedAt?: string;
  reason?: string;
}

export interface JudgmentState {
  stageId: string;
  instructions: string;
  allowedRoles: string[];
  requestedAt: string;
  decision?: 'approve' | 'reject';
  user?: string;
  via?: string;
  comment?: string;
  decidedAt?: string;
}

export interface CanaryState {
  stageId: string;
  at: string;
  verdict?: string;
  score?: number;
  reportId?: string;
  reason?: string;
}

export interface RollbackState {
  environment: string;
  image: string;
  previousImage?: string;
  detail: string;
  at: string;
}

/** What the notifier knows of one execution: enough to render any message about it. */
export interface ExecutionSnapshot {
  executionId: string;
  application: string;
  pipeline?: string;
  trigger?: Trigger;
  status: ExecutionState;
  statusAt?: string;
  reason?: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  stages: StageState[];
  judgments: JudgmentState[];
  canary?: CanaryState;
  rollback?: RollbackState;
  /** The pipeline file's `notifications:` section. */
  notifications?: NotificationSettings;
}

/** An event the notifier reads, with the time it happened (the envelope's time when the data has none). */
export type ExecutionEvent =
  | { kind: 'created'; at: string; data: DataOf<typeof ExecutionCreated> }
  | { kind: 'started'; at: string; data: DataOf<typeof ExecutionStarted> }
  | { kind: 'completed'; at: string; data: DataOf<typeof ExecutionCompleted> }
  | { kind: 'failed'; at: string; data: DataOf<typeof ExecutionFailed> }
  | { kind: 'cancelled'; at: string; data: DataOf<typeof ExecutionCancelled> }
  | { kind: 'paused'; at: string; data: DataOf<typeof ExecutionPaused> }
  | { kind: 'resumed'; at: string; data: DataOf<typeof ExecutionResumed> }
  | { kind: 'stage-changed'; at: string; data: DataOf<typeof ExecutionStageChanged> }
  | { kind: 'judgment-requested'; at: string; data: DataOf<typeof JudgmentRequested> }
  | { kind: 'judgment-given'; at: string; data: DataOf<typeof JudgmentGiven> }
  | { kind: 'canary-completed'; at: string; data: z.output<typeof StageCompletedData> }
  | { kind: 'canary-failed'; at: string; data: z.output<typeof StageFailedData> }
  | { kind: 'release-changed'; at: string; data: DataOf<typeof ReleaseChanged> };

/** The application an event names, when it names one (canary stage events do not). */
export function applicationOf(event: ExecutionEvent): string | undefined {
  return 'application' in event.data ? event.data.application : undefined;
}

export function emptySnapshot(executionId: string, application: string): ExecutionSnapshot {
  return { executionId, application, status: 'NOT_STARTED', stages: [], judgments: [] };
}

const later = (a: string | undefined, b: string) => a === undefined || b >= a;

function setStatus(snapshot: ExecutionSnapshot, status: ExecutionState, at: string, reason?: string): void {
  if (!later(snapshot.statusAt, at)) return;
  snapshot.status = status;
  snapshot.statusAt = at;
  if (reason !== undefined) snapshot.reason = reason;
  else delete snapshot.reason;
}

function stage(snapshot: ExecutionSnapshot, id: string, type = 'unknown'): StageState {
  let found = snapshot.stages.find((s) => s.id === id);
  if (!found) {
    found = { id, type, status: 'NOT_STARTED', attempt: 0 };
    snapshot.stages.push(found);
  }
  if (type !== 'unknown') found.type = type;
  return found;
}

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'FAILED_CONTINUE', 'CANCELED', 'SKIPPED', 'TERMINAL']);

/**
 * The snapshot after one more event. Events of one execution come on several consumers, so in any
 * order: each status keeps the latest change by its time, and every field is filled by whichever
 * event knows it first.
 */
export function applyEvent(
  previous: ExecutionSnapshot | undefined,
  event: ExecutionEvent,
): ExecutionSnapshot {
  const executionId = event.data.executionId;
  const snapshot: ExecutionSnapshot = structuredClone(
    previous ?? emptySnapshot(executionId, applicationOf(event) ?? 'unknown'),
  );
  const data = event.data;
  if ('application' in data && snapshot.application === 'unknown') snapshot.application = data.application;
  if ('pipeline' in data) snapshot.pipeline = data.pipeline;
  if ('trigger' in data && typeof data.trigger === 'object') snapshot.trigger = data.trigger;
  switch (event.kind) {
    case 'created': {
      const d = event.data;
      snapshot.createdAt = d.createdAt;
      const known = new Map(snapshot.stages.map((s) => [s.id, s]));
      snapshot.stages = [
        ...d.stages.map((s) => ({
          ...(known.get(s.stageId) ?? { status: 'NOT_STARTED', attempt: 0 }),
          id: s.stageId,
          type: s.type,
        })),
        ...snapshot.stages.filter((s) => !d.stages.some((declared) => declared.stageId === s.id)),
      ];
      if (d.notifications) snapshot.notifications = d.notifications;
      if (snapshot.statusAt === undefined) snapshot.statusAt = d.createdAt;
      break;
    }
    case 'started':
      snapshot.startedAt ??= event.data.startedAt;
      setStatus(snapshot, 'RUNNING', event.data.startedAt);
      break;
    case 'completed':
      snapshot.endedAt = event.data.completedAt;
      snapshot.durationMs = event.data.durationMs;
      setStatus(snapshot, 'SUCCEEDED', event.data.completedAt);
      break;
    case 'failed':
      snapshot.endedAt = event.data.failedAt;
      snapshot.durationMs = event.data.durationMs;
      setStatus(snapshot, 'FAILED', event.data.failedAt, event.data.reason);
      break;
    case 'cancelled':
      snapshot.endedAt = event.data.cancelledAt;
      setStatus(
        snapshot,
        'CANCELED',
        event.data.cancelledAt,
        `cancelled by ${event.data.cancelledBy}: ${event.data.reason}`,
      );
      break;
    case 'paused':
      setStatus(snapshot, 'PAUSED', event.data.pausedAt, event.data.reason);
      break;
    case 'resumed':
      delete snapshot.endedAt;
      setStatus(snapshot, 'RUNNING', event.data.resumedAt);
      break;
    case 'stage-changed': {
      const d = event.data;
      const s = stage(snapshot, d.stageId, d.stageType);
      if (!later(s.at, d.at)) break;
      s.status = d.to;
      s.at = d.at;
      s.attempt = Math.max(s.attempt, d.attempt);
      if (d.to === 'RUNNING' && (d.from !== 'RUNNING' || !s.startedAt)) {
        s.startedAt = d.at;
        delete s.endedAt;
      }
      if (ENDED.has(d.to)) s.endedAt = d.at;
      if (d.reason !== undefined) s.reason = d.reason;
      else delete s.reason;
      break;
    }
    case 'judgment-requested': {
      const d = event.data;
      const existing = snapshot.judgments.find((j) => j.stageId === d.stageId);
      const asked = { instructions: d.instructions, allowedRoles: d.allowedRoles, requestedAt: event.at };
      const others = snapshot.judgments.filter((j) => j.stageId !== d.stageId);
      // The decision overtook its request: keep it, with what the request says.
      if (existing?.decidedAt !== undefined && existing.decidedAt >= event.at)
        snapshot.judgments = [...others, { ...existing, ...asked }];
      // A newer request is already waiting: this one is stale.
      else if (existing && existing.decidedAt === undefined && existing.requestedAt > event.at) break;
      // Asked again (the stage restarted): pending again.
      else snapshot.judgments = [...others, { stageId: d.stageId, ...asked }];
      break;
    }
    case 'judgment-given': {
      const d = event.data;
      const existing = snapshot.judgments.find((j) => j.stageId === d.stageId);
      if (existing?.decidedAt !== undefined && existing.decidedAt > d.decidedAt) break;
      const base = existing ?? {
        stageId: d.stageId,
        instructions: '',
        allowedRoles: [],
        requestedAt: d.decidedAt,
      };
      snapshot.judgments = [
        ...snapshot.judgments.filter((j) => j.stageId !== d.stageId),
        {
          ...base,
          decision: d.decision,
          user: d.user,
          via: d.via,
          decidedAt: d.decidedAt,
          ...(d.comment === undefined ? {} : { comment: d.comment }),
        },
      ];
      break;
    }
    case 'canary-completed':
    case 'canary-failed': {
      const d = event.data;
      if (snapshot.canary && snapshot.canary.at > event.at) break;
      const outputs = d.outputs;
      snapshot.canary = {
        stageId: d.stageId,
        at: event.at,
        ...(typeof outputs['verdict'] === 'string' ? { verdict: outputs['verdict'] } : {}),
        ...(typeof outputs['score'] === 'number' ? { score: outputs['score'] } : {}),
        ...(typeof outputs['reportId'] === 'string' ? { reportId: outputs['reportId'] } : {}),
        ...(event.kind === 'canary-failed' ? { reason: event.data.error.message } : {}),
      };
      if (event.kind === 'canary-failed' && snapshot.canary.verdict === undefined)
        snapshot.canary.verdict = 'fail';
      break;
    }
    case 'release-changed': {
      const d = event.data;
      if (d.state === 'rolled-back' && later(snapshot.rollback?.at, d.changedAt))
        snapshot.rollback = {
          environment: d.environment,
          image: d.image,
          ...(d.previousImage === undefined ? {} : { previousImage: d.previousImage }),
          detail: d.detail,
          at: d.changedAt,
        };
      break;
    }
  }
  return snapshot;
}

export function pendingJudgment(snapshot: ExecutionSnapshot, stageId?: string): JudgmentState | undefined {
  return snapshot.judgments.find(
    (j) => j.decision === undefined && (stageId === undefined || j.stageId === stageId),
  );
}
