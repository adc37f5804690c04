import { type ExecutionSnapshot, pendingJudgment } from '../executions/execution-snapshot.js';

/** What templates see: plain data about the execution, nothing callable. */
export interface MessageView {
  event: string;
  application: string;
  pipeline: string;
  executionId: string;
  url: string;
  status: string;
  reason?: string;
  branch: string;
  sha: string;
  shortSha: string;
  repository: string;
  actor: string;
  commitMessage: string;
  duration?: string;
  stage?: StageView;
  stages: StageView[];
  canary?: {
    stageId: string;
    verdict: string;
    score?: number;
    scoreText: string;
    reportId?: string;
    reason?: string;
  };
  judgment?: {
    stageId: string;
    instructions: string;
    decision?: string;
    user?: string;
    via?: string;
    comment?: string;
  };
  rollback?: { environment: string; image: string; previousImage?: string; detail: string };
  /** The notify stage's own message, and the fields of a NotificationRequested. */
  message?: string;
  fields?: Record<string, unknown>;
}

export interface StageView {
  id: string;
  type: string;
  status: string;
  attempt: number;
  reason?: string;
  duration?: string;
}

/** `1h 2m`, `3m 12s`, `45s`, `800ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

const between = (start?: string, end?: string) =>
  start && end ? formatDuration(Date.parse(end) - Date.parse(start)) : undefined;

export function executionUrl(uiUrl: string, executionId: string): string {
  return `${uiUrl}/executions/${encodeURIComponent(executionId)}`;
}

export function buildView(
  snapshot: ExecutionSnapshot,
  options: {
    uiUrl: string;
    event: string;
    stageId?: string;
    message?: string;
    fields?: Record<string, unknown>;
  },
): MessageView {
  const trigger = snapshot.trigger;
  const stages = snapshot.stages.map((s) => {
    const duration = between(s.startedAt, s.endedAt);
    return {
      id: s.id,
      type: s.type,
      status: s.status.toLowerCase(),
      attempt: s.attempt,
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      ...(duration === undefined ? {} : { duration }),
    };
  });
  const judgment =
    (options.stageId ? snapshot.judgments.find((j) => j.stageId === options.stageId) : undefined) ??
    pendingJudgment(snapshot) ??
    snapshot.judgments.at(-1);
  const canary = snapshot.canary;
  const durationMs =
    snapshot.durationMs ??
    (snapshot.startedAt && snapshot.endedAt
      ? Date.parse(snapshot.endedAt) - Date.parse(snapshot.startedAt)
      : undefined);
  const view: MessageView = {
    event: options.event,
    application: snapshot.application,
    pipeline: snapshot.pipeline ?? snapshot.application,
    executionId: snapshot.executionId,
    url: executionUrl(options.uiUrl, snapshot.executionId),
    status: snapshot.status.toLowerCase(),
    branch: trigger?.branch ?? trigger?.tag ?? trigger?.ref ?? '',
    sha: trigger?.sha ?? '',
    shortSha: trigger?.sha.slice(0, 7) ?? '',
    repository: trigger?.repository ?? '',
    actor: trigger?.actor ?? '',
    commitMessage: trigger?.message?.split('\n')[0] ?? '',
    stages,
    ...(snapshot.reason === undefined ? {} : { reason: snapshot.reason }),
    ...(durationMs === undefined ? {} : { duration: formatDuration(durationMs) }),
  };
  const focus = options.stageId ? stages.find((s) => s.id === options.stageId) : undefined;
  if (focus) view.stage = focus;
  if (canary)
    view.canary = {
      stageId: canary.stageId,
      verdict: canary.verdict ?? 'unknown',
      scoreText: canary.score === undefined ? 'no score' : String(canary.score),
      ...(canary.score === undefined ? {} : { score: canary.score }),
      ...(canary.reportId === undefined ? {} : { reportId: canary.reportId }),
      ...(canary.reason === undefined ? {} : { reason: canary.reason }),
    };
  if (judgment)
    view.judgment = {
      stageId: judgment.stageId,
      instructions: judgment.instructions,
      ...(judgment.decision === undefined ? {} : { decision: judgment.decision }),
      ...(judgment.user === undefined ? {} : { user: judgment.user }),
      ...(judgment.via === undefined ? {} : { via: judgment.via }),
      ...(judgment.comment === undefined ? {} : { comment: judgment.comment }),
    };
  if (snapshot.rollback) {
    const { environment, image, previousImage, detail } = snapshot.rollback;
    view.rollback = { environment, image, detail, ...(previousImage === undefined ? {} : { previousImage }) };
  }
  if (options.message !== undefined) view.message = options.message;
  if (options.fields !== undefined) view.fields = options.fields;
  return view;
}
