import { clone, deepEqual, isObject, type JsonObject } from '../json.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { type FieldPath, FieldSet, fieldsOf, isItemPath, locate, removeAt, valueAt } from './field-set.js';
import { isAtomicMap, listTypeAt, sameItem } from './list-types.js';
import {
  type ManagerFields,
  decodeManagedFields,
  encodeManagedFields,
  entryFor,
  managedPart,
  setFields,
} from './managed-fields.js';

export interface Conflict {
  manager: string;
  apiVersion: string;
  path: FieldPath;
}

export interface ApplyRequest {
  resource: ResourceType;
  /** The stored object, or a skeleton (type and identity only) when the apply creates it. */
  live: KubeObject;
  /** The applied configuration, nulls already dropped. */
  config: KubeObject;
  manager: string;
  force: boolean;
}

export type ApplyOutcome = { object: KubeObject; conflicts?: undefined } | { conflicts: Conflict[] };

/**
 * Server-side apply: merges the configuration into the live object, keeps track of which manager owns
 * which field, refuses to change a field another manager owns (unless forced, which takes it over), and
 * removes the fields this manager applied before but no longer applies and nobody else owns.
 */
export function serverSideApply({ resource, live, config, manager, force }: ApplyRequest): ApplyOutcome {
  const applied = managedPart(config, resource);
  const liveView = managedPart(live, resource);
  const appliedFields = fieldsOf(applied);
  const managers = decodeManagedFields(live.metadata.managedFields);
  const others = managers.filter((m) => !(m.manager === manager && m.operation === 'Apply') || m.subresource);

  const conflicting: Array<{ owner: ManagerFields; path: FieldPath }> = [];
  for (const owner of others) {
    for (const path of appliedFields.intersect(owner.fields)) {
      if (isItemPath(path) || deepEqual(valueAt(applied, path), valueAt(liveView, path))) continue;
      conflicting.push({ owner, path });
    }
  }
  if (conflicting.length > 0 && !force) {
    return {
      conflicts: conflicting.map(({ owner, path }) => ({
        manager: owner.manager,
        apiVersion: owner.apiVersion,
        path,
      })),
    };
  }
  for (const { owner, path } of conflicting) owner.fields.delete(path);

  const mine = entryFor(managers, manager, 'Apply');
  const ownedByOthers = others.reduce((all, m) => all.union(m.fields), new FieldSet());
  const merged = mergeApplied(live, applied, []) as KubeObject;
  const stale = new FieldSet(
    [...mine.fields.minus(appliedFields)].filter((path) => !ownedByOthers.touches(path)),
  );
  // Removing a whole list item covers its fields (which could no longer be found once its key is gone).
  const removals = [...stale]
    .filter((path) => !path.some((_, i) => i < path.length - 1 && stale.has(path.slice(0, i + 1))))
    .sort((a, b) => b.length - a.length);
  const stillOwned = ownedByOthers.union(appliedFields);
  for (const path of removals) {
    if (removeAt(merged, path)) pruneEmptyParents(merged, path, stillOwned);
  }
  setFields(mine, appliedFields, config.apiVersion ?? '');
  merged.metadata.managedFields = encodeManagedFields(managers);
  return { object: merged };
}

/** Applied values win; maps merge key by key; list-maps merge item by item; other lists are replaced. */
function mergeApplied(live: unknown, applied: unknown, path: string[]): unknown {
  if (isObject(applied) && isObject(live) && !isAtomicMap(path)) {
    const out: JsonObject = { ...live };
    for (const [key, value] of Object.entries(applied))
      out[key] = mergeApplied(live[key], value, [...path, key]);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    return mergeLists(live as unknown[], applied as unknown[], path);
  }
  return clone(applied);
}

function mergeLists(live: unknown[], applied: unknown[], path: string[]): unknown[] {
  const list = listTypeAt(path);
  if (list.type === 'map') {
    // Items keep their place in the live list; new ones are appended in the applied order.
    const merged = live.map((existing) => {
      const item = applied.find((a) => sameItem(existing, a, list));
      return item === undefined ? existing : mergeApplied(existing, item, [...path, '[]']);
    });
    const added = applied.filter((item) => !live.some((l) => sameItem(l, item, list)));
    return [...merged, ...added.map((item) => clone(item))];
  }
  if (list.type === 'set') return [...applied, ...live.filter((l) => !applied.some((a) => deepEqual(a, l)))];
  return clone(applied);
}

/** After a removal, drops maps left empty that nobody owns (labels: {} once the last label is gone). */
function pruneEmptyParents(root: KubeObject, path: FieldPath, owned: FieldSet): void {
  for (let length = path.length - 1; length > 1; length--) {
    const parent = path.slice(0, length);
    const value = valueAt(root, parent);
    if (!isObject(value) || Object.keys(value).length > 0 || owned.has(parent)) return;
    if (!locate(root, parent)) return;
    removeAt(root, parent);
  }
}
