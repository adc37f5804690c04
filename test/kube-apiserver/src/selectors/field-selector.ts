import { badRequest } from '../api/errors.js';
import { isObject } from '../json.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';

export interface FieldRequirement {
  field: string;
  equals: boolean;
  value: string;
}

const FIELDS_BY_KIND: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'status.phase', 'status.podIP'],
  Secret: ['type'],
};

/** Parses `fieldSelector`: `metadata.name=x,status.phase!=Running`, with the fields Kubernetes indexes. */
export function parseFieldSelector(
  text: string | null | undefined,
  resource: ResourceType,
): FieldRequirement[] {
  if (!text?.trim()) return [];
  const supported = ['metadata.name', 'metadata.namespace', ...(FIELDS_BY_KIND[resource.kind] ?? [])];
  return text.split(',').map((term) => {
    const m = term.trim().match(/^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
    const [, field, operator, value] = m;
    if (!supported.includes(field!)) throw badRequest(`field label not supported: ${field}`);
    return { field: field!, equals: operator !== '!=', value: value! };
  });
}

export function matchesFields(requirements: readonly FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => {
    let value: unknown = object;
    for (const part of r.field.split('.')) value = isObject(value) ? value[part] : undefined;
    const text = typeof value === 'string' ? value : '';
    return (text === r.value) === r.equals;
  });
}
