import type { StatusCause } from '../api/errors.js';
import type { ResourceType } from '../resources/catalog.js';

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function hasSchemaErrors(error: unknown): error is { errors: SchemaError[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

/** `/spec/template/spec/containers/0/image` as Kubernetes writes it: `spec.template.spec.containers[0].image`. */
export function fieldPathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function valueAt(object: unknown, pointer: string): unknown {
  let value = object;
  for (const part of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[
      part.replaceAll('~1', '/').replaceAll('~0', '~')
    ];
  }
  return value;
}

function causeOf(error: SchemaError, object: unknown): StatusCause {
  if (error.keyword === 'required') {
    const field = fieldPathOf(`${error.instancePath}/${String(error.params.missingProperty)}`);
    return { reason: 'FieldValueRequired', message: 'Required value', field };
  }
  const field = fieldPathOf(error.instancePath);
  const value = JSON.stringify(valueAt(object, error.instancePath));
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return {
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${value}: supported values: ${allowed}`,
      field,
    };
  }
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${value}: ${error.message ?? error.keyword}`,
    field,
  };
}

/** What the official OpenAPI schema (through kubernetes-models) finds wrong, one cause per field. */
export function schemaCauses(resource: ResourceType, object: object): StatusCause[] {
  try {
    resource.validateSchema(object);
    return [];
  } catch (error) {
    if (!hasSchemaErrors(error)) throw error;
    const byField = new Map<string, StatusCause>();
    for (const e of error.errors) {
      const cause = causeOf(e, object);
      if (!byField.has(cause.field!)) byField.set(cause.field!, cause);
    }
    return [...byField.values()];
  }
}
