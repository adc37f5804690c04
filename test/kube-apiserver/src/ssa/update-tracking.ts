import { deepEqual } from '../json.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject, ManagedFieldsEntry } from '../resources/kube-object.js';
import { FieldSet, fieldsOf, isItemPath, valueAt } from './field-set.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  entryFor,
  managedPart,
  setFields,
} from './managed-fields.js';

/**
 * Field ownership after a write that is not an apply (create, update, merge or strategic patch, scale):
 * the writer takes every field it changed, from whoever owned it; fields it removed lose their owners.
 */
export function trackUpdate(
  resource: ResourceType,
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
): ManagedFieldsEntry[] {
  const before = previous ? managedPart(previous, resource) : {};
  const after = managedPart(next, resource);
  const beforeFields = fieldsOf(before);
  const afterFields = fieldsOf(after);
  const changed = new FieldSet(
    [...afterFields].filter(
      (path) =>
        !beforeFields.has(path) ||
        (!isItemPath(path) && !deepEqual(valueAt(before, path), valueAt(after, path))),
    ),
  );
  const removed = beforeFields.minus(afterFields);
  const managers = decodeManagedFields(previous?.metadata.managedFields);
  if (changed.size === 0 && removed.size === 0) return encodeManagedFields(managers);
  for (const m of managers) m.fields = m.fields.minus(changed).minus(removed);
  const mine = entryFor(managers, manager, 'Update');
  setFields(mine, mine.fields.union(changed), next.apiVersion ?? '');
  return encodeManagedFields(managers);
}
