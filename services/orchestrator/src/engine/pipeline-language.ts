import { type ExecutionContext } from '@aviary/pipeline-spec';

/**
 * The parts of the pipeline language the engine runs: expressions (`if:` and check-precondition),
 * templates in settings (`${stages.build.outputs.imageUrl}`), branch patterns. Each throws an Error
 * whose message says what is wrong, for the stage's reason.
 */
export interface PipelineLanguage {
  evaluate(expression: string, context: ExecutionContext): boolean;
  resolveSettings(settings: Record<string, unknown>, context: ExecutionContext): Record<string, unknown>;
  /** The values of other stages' outputs that the settings refer to, keyed `<stage>.<output>`. */
  inputsOf(settings: Record<string, unknown>, context: ExecutionContext): Record<string, unknown>;
  branchMatches(patterns: readonly string[] | undefined, branch: string | undefined): boolean;
}
