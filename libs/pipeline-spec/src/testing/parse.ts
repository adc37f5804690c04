import { type ResolvedPipeline, type ResolvedStage } from '../model.js';
import { type PipelineError } from '../validation/errors.js';
import { parsePipeline } from '../validation/parse-pipeline.js';

/** The pipeline a valid text gives, or a failed test that shows the errors. */
export function valid(text: string): ResolvedPipeline {
  const result = parsePipeline(text);
  if (!result.ok) throw new Error(`expected a valid pipeline:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.pipeline;
}

/** The errors an invalid text gives. */
export function invalid(text: string): PipelineError[] {
  const result = parsePipeline(text);
  if (result.ok) throw new Error('expected errors, the pipeline is valid');
  return result.errors;
}

export function stage(pipeline: ResolvedPipeline, id: string): ResolvedStage {
  const found = pipeline.stages.find((candidate) => candidate.id === id);
  if (found === undefined)
    throw new Error(`no stage ${id} in ${pipeline.stages.map((s) => s.id).join(', ')}`);
  return found;
}

/** Each stage as `id <- dependencies`, in pipeline order: the DAG at a glance. */
export function graph(pipeline: ResolvedPipeline): string[] {
  return pipeline.stages.map((s) => `${s.id} (${s.type}) <- ${s.dependsOn.join(', ') || '-'}`);
}
