import { type ResolvedPipeline, type ResolvedStage, type StageType } from '@aviary/pipeline-spec';

/** A resolved stage with test defaults: no retries, a minute of timeout, `onFailure: fail`. */
export function stage(
  id: string,
  type: StageType = 'run',
  overrides: Partial<Omit<ResolvedStage, 'id' | 'type'>> = {},
): ResolvedStage {
  return {
    id,
    name: id,
    type,
    dependsOn: [],
    timeoutMs: 60_000,
    retries: { max: 0, initialBackoffMs: 100, maxBackoffMs: 1_000, factor: 2 },
    onFailure: 'fail',
    settings: type === 'run' ? { command: `echo ${id}` } : {},
    ...overrides,
  };
}

export function pipeline(
  stages: ResolvedStage[],
  overrides: Partial<ResolvedPipeline> = {},
): ResolvedPipeline {
  return {
    name: 'test-pipeline',
    concurrency: 'queue',
    triggers: { tags: false },
    timeoutMs: 3_600_000,
    stages,
    ...overrides,
  };
}

/** `a -> b -> c ...`: each stage depends on the one before. */
export function sequence(ids: string[], type: StageType = 'run'): ResolvedStage[] {
  return ids.map((id, i) => stage(id, type, { dependsOn: i === 0 ? [] : [ids[i - 1]!] }));
}
