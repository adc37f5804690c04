import { randomUUID } from 'node:crypto';
import { type StageCommandData } from '@aviary/events';

export interface PushCommandOptions {
  /** The pushed repository and commit (a push to main). */
  repository: string;
  sha: string;
  stageId: string;
  stageType?: string;
  settings?: Record<string, unknown>;
  /** A new execution when absent. */
  executionId?: string;
  actor?: string;
  deadlineMs?: number;
}

/** A builder stage command, attempt 1, of a push to main: what the orchestrator sends for it. */
export function pushStageCommand(options: PushCommandOptions): StageCommandData {
  return {
    executionId: options.executionId ?? `e-${randomUUID()}`,
    stageId: options.stageId,
    attempt: 1,
    application: 'app',
    stageType: options.stageType ?? 'run',
    trigger: {
      kind: 'push',
      provider: 'generic',
      repository: options.repository,
      ref: 'refs/heads/main',
      branch: 'main',
      sha: options.sha,
      ...(options.actor ? { actor: options.actor } : {}),
    },
    settings: options.settings ?? {},
    inputs: {},
    deadline: new Date(Date.now() + (options.deadlineMs ?? 60_000)).toISOString(),
  };
}
