import { badRequest } from '../api/errors.js';
import { clone, isObject, type JsonObject } from '../json.js';
import { listTypeAt, sameItem } from '../ssa/list-types.js';

/**
 * Strategic merge patch, the subset kubectl's patch, scale and rollout commands use: maps merge (null
 * deletes), list-maps (containers, env, ports, volumes...) merge by their key, `$patch: replace` and
 * `$patch: delete` directives, `$deleteFromPrimitiveList`; other lists are replaced. Ordering directives
 * (`$setElementOrder`) and `$retainKeys` are accepted and ignored.
 */
export function strategicMergePatch(target: unknown, patch: unknown, path: string[] = []): unknown {
  if (isObject(patch)) return patchMap(target, patch, path);
  if (Array.isArray(patch)) return patchList(target, patch, path);
  return clone(patch);
}

function patchMap(target: unknown, patch: JsonObject, path: string[]): unknown {
  const directive = patch.$patch;
  if (directive === 'replace') return withoutDirectives(patch);
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge')
    throw badRequest(`unknown patch type: ${JSON.stringify(directive)}`);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value))
        out[field] = current.filter((v) => !value.includes(v));
      continue;
    }
    if (key.startsWith('$')) continue;
    if (value === null) delete out[key];
    else {
      const next = strategicMergePatch(out[key], value, [...path, key]);
      if (next === undefined) delete out[key];
      else out[key] = next;
    }
  }
  return out;
}

function patchList(target: unknown, patch: unknown[], path: string[]): unknown {
  const list = listTypeAt(path);
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map(withoutDirectives);
  }
  if (list.type !== 'map' || !Array.isArray(target)) return patch.map(withoutDirectives);
  let out: unknown[] = [...(target as unknown[])];
  for (const item of patch) {
    const index = out.findIndex((existing) => sameItem(existing, item, list));
    if (isObject(item) && item.$patch === 'delete') {
      if (index >= 0) out = out.filter((_, i) => i !== index);
    } else if (index >= 0) out[index] = strategicMergePatch(out[index], item, [...path, '[]']);
    else out.push(withoutDirectives(item));
  }
  return out;
}

function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, v]) => [k, withoutDirectives(v)]),
  );
}
