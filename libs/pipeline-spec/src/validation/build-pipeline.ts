import {
  type ResolvedPipeline,
  type ResolvedStage,
  type RetryPolicy,
  type StageCondition,
  type StageType,
} from '../model.js';
import { STAGE_TYPE_SPECS } from '../stage-types.js';
import { topologicalOrder } from './graph.js';
import { type CheckedStage } from './stage-draft.js';

const DEFAULT_RETRY: RetryPolicy = { max: 0, initialBackoffMs: 10_000, maxBackoffMs: 300_000, factor: 2 };
const TARGETED: readonly StageType[] = ['deploy', 'canary-deploy', 'promote', 'rollback'];

/** `deploy-homolog` -> `Deploy homolog`. */
function displayName(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function retryPolicy(retries: CheckedStage['common']['retries']): RetryPolicy {
  if (retries === undefined) return { ...DEFAULT_RETRY };
  if (typeof retries === 'number') return { ...DEFAULT_RETRY, max: retries };
  return {
    max: retries.count,
    initialBackoffMs: retries.backoff,
    maxBackoffMs: retries.maxBackoff,
    factor: retries.factor,
  };
}

function finishSettings(
  type: StageType,
  settings: Record<string, unknown>,
  pipelineName: string,
): Record<string, unknown> {
  if (TARGETED.includes(type)) {
    return {
      ...settings,
      namespace: settings['namespace'] ?? settings['environment'],
      application: settings['application'] ?? pipelineName,
    };
  }
  if (type === 'check-precondition') {
    const { expression, expressions } = settings as { expression?: string; expressions?: string[] };
    return { expressions: [...(expression === undefined ? [] : [expression]), ...(expressions ?? [])] };
  }
  return settings;
}

function resolveStage(
  { common, settings }: CheckedStage,
  dependsOn: string[],
  pipelineName: string,
): ResolvedStage {
  const finished = finishSettings(common.type, settings, pipelineName);
  const stage: ResolvedStage = {
    id: common.id,
    name: common.name ?? displayName(common.id),
    type: common.type,
    dependsOn,
    timeoutMs: common.timeout ?? STAGE_TYPE_SPECS[common.type].defaultTimeoutMs(finished),
    retries: retryPolicy(common.retries),
    onFailure: common.onFailure ?? 'fail',
    settings: finished,
  };
  const when: StageCondition = {};
  if (common.if?.branches !== undefined) when.branches = common.if.branches;
  if (common.if?.statuses !== undefined) when.statuses = common.if.statuses;
  if (common.if?.expression !== undefined) when.expression = common.if.expression;
  if (Object.keys(when).length > 0) stage.when = when;
  return stage;
}

/** Longest time one stage may take: every attempt to its timeout, with the backoffs between them. */
export function stageBudgetMs(stage: ResolvedStage): number {
  let total = stage.timeoutMs * (stage.retries.max + 1);
  for (let attempt = 0; attempt < stage.retries.max; attempt += 1) {
    total += Math.min(
      stage.retries.initialBackoffMs * stage.retries.factor ** attempt,
      stage.retries.maxBackoffMs,
    );
  }
  return total;
}

/** The longest chain of stage budgets through the DAG: how long an execution can legitimately take. */
export function longestChainMs(stages: readonly ResolvedStage[]): number {
  const finish = new Map<string, number>();
  for (const stage of stages) {
    const start = Math.max(0, ...stage.dependsOn.map((id) => finish.get(id) ?? 0));
    finish.set(stage.id, start + stageBudgetMs(stage));
  }
  return Math.max(0, ...finish.values());
}

export interface PipelineHead {
  name: string;
  concurrency: ResolvedPipeline['concurrency'];
  triggers: ResolvedPipeline['triggers'];
  timeout?: number;
  notifications?: ResolvedPipeline['notifications'];
}

/** The resolved pipeline from checked stages (no errors left), stages in dependency order. */
export function buildPipeline(
  head: PipelineHead,
  stages: { checked: CheckedStage; dependsOn: string[] }[],
): ResolvedPipeline {
  const resolved = stages.map(({ checked, dependsOn }) => resolveStage(checked, dependsOn, head.name));
  const byId = new Map(resolved.map((stage) => [stage.id, stage]));
  const order = topologicalOrder(
    resolved.map((stage) => stage.id),
    new Map(resolved.map((stage) => [stage.id, stage.dependsOn])),
  );
  const sorted = order.map((id) => byId.get(id) as ResolvedStage);
  const triggers: ResolvedPipeline['triggers'] = { tags: head.triggers.tags };
  if (head.triggers.branches !== undefined) triggers.branches = head.triggers.branches;
  return {
    name: head.name,
    concurrency: head.concurrency,
    triggers,
    timeoutMs: head.timeout ?? longestChainMs(sorted),
    ...(head.notifications === undefined ? {} : { notifications: head.notifications }),
    stages: sorted,
  };
}
