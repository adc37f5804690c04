import {
  branchMatches,
  evaluateExpression,
  parseExpression,
  resolveTemplates,
  templateReferences,
  type ExecutionContext,
  type Expression,
} from '@aviary/pipeline-spec';
import { type PipelineLanguage } from '../engine/pipeline-language.js';

const CACHE_LIMIT = 2_000;

/** The pipeline language of libs/pipeline-spec, with parsed expressions kept for the next time. */
export class SpecLanguage implements PipelineLanguage {
  private readonly parsed = new Map<string, Expression>();

  evaluate(expression: string, context: ExecutionContext): boolean {
    return evaluateExpression(this.parse(expression), context);
  }

  resolveSettings(settings: Record<string, unknown>, context: ExecutionContext): Record<string, unknown> {
    return resolveTemplates(settings, context);
  }

  inputsOf(settings: Record<string, unknown>, context: ExecutionContext): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const reference of templateReferences(settings)) {
      if (reference.kind !== 'stage-output') continue;
      const value = context.stages[reference.stageId]?.outputs[reference.output];
      if (value !== undefined) inputs[`${reference.stageId}.${reference.output}`] = value;
    }
    return inputs;
  }

  branchMatches(patterns: readonly string[] | undefined, branch: string | undefined): boolean {
    return branchMatches(patterns, branch);
  }

  private parse(expression: string): Expression {
    const cached = this.parsed.get(expression);
    if (cached) return cached;
    const result = parseExpression(expression);
    // Pipelines are validated when read, so this only happens to a pipeline stored before a change.
    if (!result.ok) throw new Error(`invalid expression: ${result.error.message}`);
    if (this.parsed.size >= CACHE_LIMIT) this.parsed.clear();
    this.parsed.set(expression, result.ast);
    return result.ast;
  }
}
