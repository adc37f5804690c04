import { canonicalJson, isObject, type JsonObject } from '../json.js';
import { isAtomicMap, itemKey, listTypeAt, sameItem } from './list-types.js';

/**
 * A path in the managedFields vocabulary: `f:<field>`, `k:<key json>` (a list-map item),
 * `v:<value json>` (a set item). A path ending in `k:` names the item itself (the `.` of FieldsV1).
 */
export type FieldPath = readonly string[];

/** A set of owned field paths: leaves, and list-map items themselves. */
export class FieldSet implements Iterable<FieldPath> {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.add(p);
  }

  add(path: FieldPath): void {
    this.paths.set(JSON.stringify(path), path);
  }

  has(path: FieldPath): boolean {
    return this.paths.has(JSON.stringify(path));
  }

  delete(path: FieldPath): void {
    this.paths.delete(JSON.stringify(path));
  }

  get size(): number {
    return this.paths.size;
  }

  [Symbol.iterator](): Iterator<FieldPath> {
    return this.paths.values();
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this, ...other]);
  }

  minus(other: FieldSet): FieldSet {
    return new FieldSet([...this].filter((p) => !other.has(p)));
  }

  intersect(other: FieldSet): FieldSet {
    return new FieldSet([...this].filter((p) => other.has(p)));
  }

  /** True when some path in the set is `prefix` or lies under it. */
  touches(prefix: FieldPath): boolean {
    return [...this].some((p) => prefix.every((element, i) => p[i] === element));
  }
}

export function isItemPath(path: FieldPath): boolean {
  return path.at(-1)?.startsWith('k:') ?? false;
}

/** The fields an object sets, as server-side apply counts them. */
export function fieldsOf(object: JsonObject): FieldSet {
  const set = new FieldSet();
  walkMap(object, [], [], set);
  return set;
}

function walkMap(map: JsonObject, schemaPath: string[], fieldPath: string[], set: FieldSet): void {
  for (const [key, child] of Object.entries(map)) {
    if (child === undefined) continue;
    walkValue(child, [...schemaPath, key], [...fieldPath, `f:${key}`], set);
  }
}

function walkValue(value: unknown, schemaPath: string[], fieldPath: string[], set: FieldSet): void {
  if (isObject(value) && Object.keys(value).length > 0 && !isAtomicMap(schemaPath)) {
    walkMap(value, schemaPath, fieldPath, set);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const list = listTypeAt(schemaPath);
    if (list.type === 'map') {
      for (const item of value) {
        const itemPath = [...fieldPath, `k:${canonicalJson(itemKey(item, list))}`];
        set.add(itemPath);
        if (isObject(item)) walkMap(item, [...schemaPath, '[]'], itemPath, set);
      }
      return;
    }
    if (list.type === 'set') {
      for (const item of value) set.add([...fieldPath, `v:${JSON.stringify(item)}`]);
      return;
    }
  }
  set.add(fieldPath);
}

interface Located {
  container: JsonObject | unknown[];
  /** The key in the container object, or the index in the container list. */
  at: string | number;
  schemaPath: string[];
}

/** Finds where `path` lives in `root`, or undefined when it is not there. */
export function locate(root: unknown, path: FieldPath): Located | undefined {
  let current: unknown = root;
  let schemaPath: string[] = [];
  let found: Located | undefined;
  for (const element of path) {
    const kind = element.slice(0, 2);
    const rest = element.slice(2);
    if (kind === 'f:') {
      if (!isObject(current) || !Object.hasOwn(current, rest)) return undefined;
      schemaPath = [...schemaPath, rest];
      found = { container: current, at: rest, schemaPath };
      current = current[rest];
    } else if (kind === 'k:' || kind === 'v:') {
      if (!Array.isArray(current)) return undefined;
      const list = listTypeAt(schemaPath);
      const wanted: unknown = JSON.parse(rest);
      const index =
        kind === 'k:' && list.type === 'map'
          ? current.findIndex((item) => sameItem(item, wanted, list))
          : current.findIndex((item) => canonicalJson(item) === canonicalJson(wanted));
      if (index < 0) return undefined;
      schemaPath = [...schemaPath, '[]'];
      found = { container: current, at: index, schemaPath };
      current = current[index];
    } else return undefined;
  }
  return found;
}

export function valueAt(root: unknown, path: FieldPath): unknown {
  const found = locate(root, path);
  if (!found) return undefined;
  return Array.isArray(found.container)
    ? found.container[found.at as number]
    : found.container[found.at as string];
}

/** Removes the field or list item at `path`; returns false when it was not there. */
export function removeAt(root: unknown, path: FieldPath): boolean {
  const found = locate(root, path);
  if (!found) return false;
  if (Array.isArray(found.container)) found.container.splice(found.at as number, 1);
  else delete found.container[found.at as string];
  return true;
}

/** `.spec.template.spec.containers[name="web"].image`, as Kubernetes names a field in conflicts. */
export function describePath(path: FieldPath): string {
  return path
    .map((element) => {
      const rest = element.slice(2);
      if (element.startsWith('f:')) return `.${rest}`;
      if (element.startsWith('k:')) {
        const key = JSON.parse(rest) as JsonObject;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${rest}]`;
    })
    .join('');
}

/** FieldsV1 JSON (`{"f:spec":{"f:replicas":{}}}`) from a set, and back. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of set) {
    let node = root;
    for (const element of path) {
      node[element] ??= {};
      node = node[element] as JsonObject;
    }
    if (isItemPath(path)) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: JsonObject, path: string[]) => {
    const children = Object.keys(node).filter((k) => k !== '.');
    if (Object.hasOwn(node, '.') || children.length === 0) set.add(path);
    for (const child of children) walk(isObject(node[child]) ? node[child] : {}, [...path, child]);
  };
  if (isObject(fields)) for (const [k, v] of Object.entries(fields)) walk(isObject(v) ? v : {}, [k]);
  return set;
}
