import { TRIGGER_FIELDS } from '../context.js';
import { didYouMean } from '../nearest.js';

/**
 * `${...}` references inside string settings: `${stages.<id>.outputs.<name>}`, `${stages.<id>.status}`
 * and `${trigger.<field>}`. `$${` writes a literal `${`.
 */

export type TemplateReference =
  | { kind: 'stage-output'; stageId: string; output: string }
  | { kind: 'stage-status'; stageId: string }
  | { kind: 'trigger'; field: string };

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'reference'; source: string; offset: number; reference: TemplateReference }
  | { kind: 'error'; source: string; offset: number; message: string; hint?: string };

const REFERENCE_FORMS =
  'references look like ${stages.<id>.outputs.<name>}, ${stages.<id>.status} or ${trigger.<field>}';

function readReference(body: string): TemplateReference | { message: string; hint?: string } {
  const stage = /^stages\.([A-Za-z][A-Za-z0-9_-]*)\.(?:outputs\.([A-Za-z_][A-Za-z0-9_]*)|(status))$/.exec(
    body,
  );
  if (stage !== null) {
    const [, stageId = '', output, status] = stage;
    return status !== undefined
      ? { kind: 'stage-status', stageId }
      : { kind: 'stage-output', stageId, output: output ?? '' };
  }
  const trigger = /^trigger\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
  if (trigger !== null) {
    const field = trigger[1] ?? '';
    if ((TRIGGER_FIELDS as string[]).includes(field)) return { kind: 'trigger', field };
    const result: { message: string; hint?: string } = { message: `unknown trigger field "${field}"` };
    result.hint =
      didYouMean(field, TRIGGER_FIELDS, 'trigger fields') ?? `trigger fields: ${TRIGGER_FIELDS.join(', ')}`;
    return result;
  }
  if (/^stage\(/.test(body))
    return {
      message: `"\${${body}}" is expression syntax`,
      hint: 'in templates write ${stages.<id>.outputs.<name>}',
    };
  return { message: `cannot read "\${${body}}"`, hint: REFERENCE_FORMS };
}

/** Splits a string into text and references, with each reference's offset in the string. */
export function parseTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (value.startsWith('${', i)) {
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      const close = value.indexOf('}', i + 2);
      if (close < 0) {
        parts.push({
          kind: 'error',
          source: value.slice(i),
          offset: i,
          message: 'unclosed "${": expected "}"',
        });
        return parts;
      }
      const source = value.slice(i, close + 1);
      const read = readReference(value.slice(i + 2, close).trim());
      parts.push(
        'kind' in read
          ? { kind: 'reference', source, offset: i, reference: read }
          : { kind: 'error', source, offset: i, ...read },
      );
      i = close + 1;
    } else {
      text += value.charAt(i);
      i += 1;
    }
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** Whether a string holds a reference (or a broken one): plain strings need no resolution. */
export function hasTemplate(value: string): boolean {
  return value.includes('${');
}

/** Every string inside a settings value, with its path, depth first. */
export function* stringsIn(
  value: unknown,
  path: (string | number)[] = [],
): Generator<{ value: string; path: (string | number)[] }> {
  if (typeof value === 'string') yield { value, path };
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* stringsIn(item, [...path, index]);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, [...path, key]);
  }
}

/** `${stages.build.outputs.imageUrl}` as written in canonical form. */
export function formatReference(reference: TemplateReference): string {
  switch (reference.kind) {
    case 'stage-output':
      return `\${stages.${reference.stageId}.outputs.${reference.output}}`;
    case 'stage-status':
      return `\${stages.${reference.stageId}.status}`;
    case 'trigger':
      return `\${trigger.${reference.field}}`;
  }
}
