import { invalid } from '../api/errors.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { apiRuleCauses, immutableFieldCauses } from './api-rules.js';
import { schemaCauses } from './schema-validation.js';

/**
 * Refuses (422 Invalid, one cause per field) an object that does not match the official schema or
 * breaks one of the API server's own rules; on update, also a change to an immutable field.
 */
export function validateObject(resource: ResourceType, object: KubeObject, previous?: KubeObject): void {
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  const causes = [
    ...schemaCauses(resource, { ...object, metadata }),
    ...apiRuleCauses(resource, object),
    ...(previous ? immutableFieldCauses(resource, previous, object) : []),
  ];
  // One cause per field, the schema's first: a field of the wrong type need not also be out of range.
  const unique = causes.filter((c, i) => causes.findIndex((o) => o.field === c.field) === i);
  if (unique.length > 0) throw invalid(resource, object.metadata.name ?? '', unique);
}
