import { branchMatches } from './branch-match.js';
import { type ExecutionContext } from './context.js';
import { evaluateExpression } from './expression/evaluate.js';
import { parseExpression } from './expression/parser.js';
import { type ResolvedPipeline, type ResolvedStage, type StageStatus } from './model.js';

/** Dependency statuses that let a stage without `if.statuses` run. */
export const DEFAULT_RUN_STATUSES: readonly StageStatus[] = ['SUCCEEDED', 'SKIPPED', 'FAILED_CONTINUE'];

export type ConditionResult = { run: true } | { run: false; reason: string };

/**
 * Whether a stage whose dependencies have all ended should run, or be SKIPPED and why: its branches,
 * its dependencies' statuses (default: succeeded, skipped or failed-and-ignored) and its expression.
 * Throws ExpressionError when the expression meets values of the wrong type (the stage then fails).
 */
export function evaluateCondition(stage: ResolvedStage, context: ExecutionContext): ConditionResult {
  const when = stage.when;
  if (when?.branches !== undefined && !branchMatches(when.branches, context.trigger.branch)) {
    return {
      run: false,
      reason: `branch ${context.trigger.branch ?? '(none)'} is not ${when.branches.join(' or ')}`,
    };
  }
  const allowed = when?.statuses ?? DEFAULT_RUN_STATUSES;
  for (const dependency of stage.dependsOn) {
    const status = context.stages[dependency]?.status ?? 'NOT_STARTED';
    if (!allowed.includes(status))
      return { run: false, reason: `${dependency} ended ${status}, not ${allowed.join(' or ')}` };
  }
  if (when?.expression !== undefined) {
    const parsed = parseExpression(when.expression);
    if (!parsed.ok) throw new Error(`stage ${stage.id}: ${parsed.error.message}`);
    if (!evaluateExpression(parsed.ast, context))
      return { run: false, reason: `${when.expression} is false` };
  }
  return { run: true };
}

/** Whether a push (or tag) starts the pipeline, from its `triggers`. Manual and API triggers always do. */
export function triggerMatches(
  triggers: ResolvedPipeline['triggers'],
  trigger: ExecutionContext['trigger'],
): boolean {
  if (trigger.kind === 'manual' || trigger.kind === 'api') return true;
  if (trigger.kind === 'tag') {
    if (typeof triggers.tags === 'boolean') return triggers.tags;
    return trigger.tag !== undefined && branchMatches(triggers.tags, trigger.tag);
  }
  return trigger.branch !== undefined && branchMatches(triggers.branches, trigger.branch);
}
