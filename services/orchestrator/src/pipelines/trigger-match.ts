import { type Trigger } from '@aviary/events';
import { type ResolvedPipeline } from '@aviary/pipeline-spec';

/** Whether a push starts the pipeline (its `triggers`); a person or the API always may. */
export function triggerStarts(
  pipeline: ResolvedPipeline,
  trigger: Trigger,
  branchMatches: (patterns: readonly string[] | undefined, branch: string | undefined) => boolean,
): boolean {
  if (trigger.kind === 'manual' || trigger.kind === 'api') return true;
  if (trigger.tag !== undefined) {
    const { tags } = pipeline.triggers;
    return tags === true || (Array.isArray(tags) && tags.length > 0 && branchMatches(tags, trigger.tag));
  }
  return branchMatches(pipeline.triggers.branches, trigger.branch);
}

/** Executions of one application on one ref queue behind (or cancel) each other. */
export function concurrencyGroup(application: string, trigger: Trigger): string {
  return `${application}:${trigger.ref}`;
}
