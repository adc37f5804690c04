import { type ResolvedPipeline, type ResolvedStage, type StageStatus } from '@aviary/pipeline-spec';
import { isFinalStage, isStoppingStage } from '../status/status-machine.js';

/** What a dependency may have ended as when a stage gives no `if: statuses`. */
export const DEFAULT_DEPENDENCY_STATUSES: readonly StageStatus[] = [
  'SUCCEEDED',
  'SKIPPED',
  'FAILED_CONTINUE',
];

const FAILURE_STATUSES: ReadonlySet<StageStatus> = new Set(['FAILED', 'TERMINAL', 'CANCELED']);

export interface ScheduleInput {
  pipeline: ResolvedPipeline;
  /** The status of every stage of the pipeline. */
  statuses: Readonly<Record<string, StageStatus>>;
  /** The pushed branch; undefined for a tag. */
  branch: string | undefined;
  branchMatches: (patterns: readonly string[] | undefined, branch: string | undefined) => boolean;
  /** Evaluates an `if` expression over the execution; throws when it cannot be evaluated. */
  evaluate: (expression: string) => boolean;
}

export type Decision =
  /** `rollback`: started by a failed stage's `onFailure: rollback`, whatever its own condition says. */
  | { kind: 'start'; stageId: string; cause: 'ready' | 'rollback' }
  /** `afterFailure`: skipped only because a stage failed the pipeline (a restart runs it again). */
  | { kind: 'skip'; stageId: string; reason: string; afterFailure?: true }
  /** The stage's condition could not be evaluated: the stage fails (its `onFailure` applies). */
  | { kind: 'fail'; stageId: string; reason: string };

export type Outcome =
  | { kind: 'running' }
  | { kind: 'paused' }
  | { kind: 'finished'; status: 'SUCCEEDED' | 'FAILED' | 'TERMINAL'; stageId?: string };

export interface Plan {
  /** Stages to start, skip or fail now; after applying them, plan again (a started stage may end at once). */
  decisions: Decision[];
  /** Meaningful when `decisions` is empty. */
  outcome: Outcome;
}

/** True once a stage failed the pipeline: only rollbacks and stages that run after failures start. */
export function isHalted(statuses: Readonly<Record<string, StageStatus>>): boolean {
  return Object.values(statuses).some(isStoppingStage);
}

/** Stages to stop when the pipeline halts: whatever runs or waits for a person. */
export function stagesToStopOnHalt(statuses: Readonly<Record<string, StageStatus>>): string[] {
  return Object.entries(statuses)
    .filter(([, status]) => status === 'RUNNING' || status === 'PAUSED')
    .map(([id]) => id);
}

/** Whether a stage asked to run after failures (`if: statuses` naming a failure status). */
function runsAfterFailures(stage: ResolvedStage): boolean {
  return stage.when?.statuses?.some((status) => FAILURE_STATUSES.has(status)) ?? false;
}

function conditionDecision(stage: ResolvedStage, input: ScheduleInput): Decision {
  const { when } = stage;
  if (!input.branchMatches(when?.branches, input.branch)) {
    const on = input.branch === undefined ? 'a tag push' : `branch ${input.branch}`;
    return { kind: 'skip', stageId: stage.id, reason: `${on} is not one of ${when?.branches?.join(', ')}` };
  }
  const allowed = when?.statuses ?? DEFAULT_DEPENDENCY_STATUSES;
  for (const dependency of stage.dependsOn) {
    const status = input.statuses[dependency];
    if (status !== undefined && !allowed.includes(status))
      return {
        kind: 'skip',
        stageId: stage.id,
        reason: `${dependency} ended ${status}; this stage runs after ${allowed.join(', ')}`,
      };
  }
  if (when?.expression !== undefined) {
    let holds: boolean;
    try {
      holds = input.evaluate(when.expression);
    } catch (error) {
      return {
        kind: 'fail',
        stageId: stage.id,
        reason: `cannot evaluate its condition ${when.expression}: ${(error as Error).message}`,
      };
    }
    if (!holds) return { kind: 'skip', stageId: stage.id, reason: `condition is false: ${when.expression}` };
  }
  return { kind: 'start', stageId: stage.id, cause: 'ready' };
}

/**
 * Which stages start now, which are skipped, and whether the execution has finished.
 *
 * A stage is decided once every stage it depends on has ended: it starts when its condition holds
 * (branch patterns, the statuses its dependencies ended in, an expression), and is skipped
 * otherwise; stages that do not depend on each other start together, and a stage with several
 * dependencies waits for all of them (the join). Once a stage failed the pipeline (FAILED or
 * TERMINAL) nothing new starts except the pipeline's `rollback` stages, when a failed stage asked
 * for them with `onFailure: rollback`, and stages whose `if: statuses` asks to run after failures
 * (a rollback, a notification); the others are skipped as their turn comes, so that every stage
 * ends decided. The execution has finished when nothing runs, waits or can start.
 */
export function plan(input: ScheduleInput): Plan {
  const { pipeline, statuses } = input;
  const stopper = pipeline.stages.find((stage) => isStoppingStage(statuses[stage.id] ?? 'NOT_STARTED'));
  const halted = stopper !== undefined;
  const rollback =
    halted &&
    pipeline.stages.some((stage) => stage.onFailure === 'rollback' && statuses[stage.id] === 'FAILED');
  const decisions: Decision[] = [];

  for (const stage of pipeline.stages) {
    if (statuses[stage.id] !== 'NOT_STARTED') continue;
    const dependencies = stage.dependsOn.map((id) => statuses[id]);
    if (rollback && stage.type === 'rollback') {
      // Runs whatever its dependencies became, but not while one of them is still busy.
      if (dependencies.some((status) => status === 'RUNNING' || status === 'PAUSED')) continue;
      decisions.push(
        input.branchMatches(stage.when?.branches, input.branch)
          ? { kind: 'start', stageId: stage.id, cause: 'rollback' }
          : { kind: 'skip', stageId: stage.id, reason: `not for branch ${input.branch ?? '(a tag)'}` },
      );
      continue;
    }
    if (!dependencies.every((status) => status !== undefined && isFinalStage(status))) continue;
    if (stopper && !runsAfterFailures(stage))
      decisions.push({
        kind: 'skip',
        stageId: stage.id,
        reason: `not run: ${stopper.id} failed the pipeline`,
        afterFailure: true,
      });
    else decisions.push(conditionDecision(stage, input));
  }
  if (decisions.length > 0) return { decisions, outcome: { kind: 'running' } };

  const all = Object.values(statuses);
  if (all.includes('RUNNING')) return { decisions, outcome: { kind: 'running' } };
  if (all.includes('PAUSED')) return { decisions, outcome: { kind: 'paused' } };
  const terminal = pipeline.stages.find((stage) => statuses[stage.id] === 'TERMINAL');
  if (terminal) return { decisions, outcome: { kind: 'finished', status: 'TERMINAL', stageId: terminal.id } };
  const failed = pipeline.stages.find((stage) => statuses[stage.id] === 'FAILED');
  if (failed) return { decisions, outcome: { kind: 'finished', status: 'FAILED', stageId: failed.id } };
  return { decisions, outcome: { kind: 'finished', status: 'SUCCEEDED' } };
}

/** The stages that follow `stageId`, directly or not, in pipeline order. */
export function dependantsOf(pipeline: ResolvedPipeline, stageId: string): string[] {
  const found = new Set<string>([stageId]);
  // Pipeline order is not guaranteed to be topological: repeat until nothing new is found.
  for (let grew = true; grew;) {
    grew = false;
    for (const stage of pipeline.stages) {
      if (!found.has(stage.id) && stage.dependsOn.some((id) => found.has(id))) {
        found.add(stage.id);
        grew = true;
      }
    }
  }
  found.delete(stageId);
  return pipeline.stages.filter((stage) => found.has(stage.id)).map((stage) => stage.id);
}

/** Delay before retry number `retry` (1 for the first): exponential, capped. */
export function retryDelayMs(policy: ResolvedStage['retries'], retry: number): number {
  const delay = policy.initialBackoffMs * policy.factor ** Math.max(0, retry - 1);
  return Math.round(Math.min(delay, policy.maxBackoffMs));
}
