import { type ExecutionContext } from '../context.js';
import { formatReference, hasTemplate, parseTemplate, type TemplateReference } from './template.js';

/** References that could not be resolved at run time, each named with the reason. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(readonly missing: { reference: string; reason: string }[]) {
    super(missing.map(({ reference, reason }) => `${reference}: ${reason}`).join('; '));
  }
}

type Lookup = { ok: true; value: unknown } | { ok: false; reason: string };

function lookup(reference: TemplateReference, context: ExecutionContext): Lookup {
  if (reference.kind === 'trigger') {
    const value = context.trigger[reference.field as keyof ExecutionContext['trigger']];
    return value === undefined
      ? { ok: false, reason: `the trigger has no ${reference.field}` }
      : { ok: true, value };
  }
  const stage = context.stages[reference.stageId];
  if (stage === undefined) return { ok: false, reason: `stage ${reference.stageId} has not run` };
  if (reference.kind === 'stage-status') return { ok: true, value: stage.status };
  const value = stage.outputs[reference.output];
  if (value === undefined || value === null) {
    const known = Object.keys(stage.outputs);
    return {
      ok: false,
      reason: `stage ${reference.stageId} (${stage.status}) has no output ${reference.output}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`,
    };
  }
  return { ok: true, value };
}

function embed(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function resolveString(text: string, context: ExecutionContext, missing: TemplateError['missing']): unknown {
  const parts = parseTemplate(text);
  const [only] = parts;
  if (parts.length === 1 && only?.kind === 'reference') {
    const found = lookup(only.reference, context);
    if (found.ok) return found.value;
    missing.push({ reference: only.source, reason: found.reason });
    return text;
  }
  let result = '';
  for (const part of parts) {
    if (part.kind === 'text') result += part.text;
    else if (part.kind === 'error') missing.push({ reference: part.source, reason: part.message });
    else {
      const found = lookup(part.reference, context);
      if (found.ok) result += embed(found.value);
      else missing.push({ reference: formatReference(part.reference), reason: found.reason });
    }
  }
  return result;
}

function resolveValue(value: unknown, context: ExecutionContext, missing: TemplateError['missing']): unknown {
  if (typeof value === 'string') return hasTemplate(value) ? resolveString(value, context, missing) : value;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context, missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveValue(item, context, missing)]),
    );
  }
  return value;
}

/**
 * Replaces every `${...}` in the settings with its value from the execution. A string that is exactly
 * one reference takes the value as it is (a number stays a number); a reference inside text is written
 * into it (objects as JSON). Throws TemplateError naming every reference that has no value.
 */
export function resolveTemplates<T>(settings: T, context: ExecutionContext): T {
  const missing: TemplateError['missing'] = [];
  const resolved = resolveValue(settings, context, missing) as T;
  if (missing.length > 0) throw new TemplateError(missing);
  return resolved;
}

/** The references a settings value holds, each once, for the orchestrator to gather `inputs`. */
export function templateReferences(settings: unknown): TemplateReference[] {
  const found = new Map<string, TemplateReference>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const part of parseTemplate(value)) {
        if (part.kind === 'reference') found.set(formatReference(part.reference), part.reference);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(settings);
  return [...found.values()];
}
