import { expect } from '@jest/globals';
import { type Platform } from '@aviary/test-support';

/** The parts of `GET /api/v1/executions/<id>` these checks read. */
export interface ExecutionView {
  executionId: string;
  status: string;
  stages: Array<{ stageId: string; status: string; startedAt?: string; endedAt?: string }>;
}

/** Each stage's status by its id. */
export function stageStatuses(execution: ExecutionView): Record<string, string> {
  return Object.fromEntries(execution.stages.map((stage) => [stage.stageId, stage.status]));
}

/**
 * The node-service preset's stages in the order they must run, each after the one before it ended
 * (lint and test run side by side: both come after install and before the scan).
 */
export function pipelineStages(options: { canary: boolean }): Array<string | string[]> {
  return [
    'checkout',
    'install',
    ['lint', 'test'],
    'quality-scan',
    'quality-gate',
    'build',
    'deploy-homolog',
    ...(options.canary ? ['canary-deploy', 'canary-analysis', 'check-precondition'] : ['deploy-production']),
  ];
}

/** Every group of stages started after each stage of the group before it ended. */
export function expectStagesInOrder(execution: ExecutionView, order: Array<string | string[]>): void {
  const byId = new Map(execution.stages.map((stage) => [stage.stageId, stage]));
  const time = (id: string, field: 'startedAt' | 'endedAt') => {
    const value = byId.get(id)?.[field];
    if (value === undefined) throw new Error(`stage ${id} of ${execution.executionId} has no ${field}`);
    return Date.parse(value);
  };
  const groups = order.map((group) => (Array.isArray(group) ? group : [group]));
  for (let i = 1; i < groups.length; i++) {
    const ended = Math.max(...groups[i - 1]!.map((id) => time(id, 'endedAt')));
    for (const id of groups[i]!)
      expect({ stage: id, startedAfterThePreviousEnded: time(id, 'startedAt') >= ended }).toEqual({
        stage: id,
        startedAfterThePreviousEnded: true,
      });
  }
}

/** The deployer's releases of an application, oldest first: environment, version (image tag), state. */
export async function releaseRows(
  platform: Platform,
  application: string,
): Promise<Array<{ environment: string; version: string; state: string }>> {
  const rows = await platform.query<{ environment: string; state: string; image: string }>(
    `SELECT environment, state, release->>'image' AS image FROM {schema:deployer}.releases
      WHERE application = $1 ORDER BY created_at`,
    [application],
  );
  return rows.map((row) => ({
    environment: row.environment,
    version: /:([^:@/]+)(?:@sha256:[0-9a-f]+)?$/.exec(row.image)?.[1] ?? row.image,
    state: row.state,
  }));
}
