import { canonicalJson, isObject, type JsonObject } from '../json.js';

/**
 * How Kubernetes merges a list, by where it sits (the `x-kubernetes-list-type` / patch-merge-key hints of
 * the official schemas, for the fields the deployer touches). Lists not named here are atomic: whoever
 * sets them owns the whole list. Paths are field names joined by dots, a list item written `[]`.
 */
export type ListType =
  { type: 'map'; keys: string[]; defaults: Record<string, unknown> } | { type: 'set' } | { type: 'atomic' };

const CONTAINER_LISTS = String.raw`(containers|initContainers|ephemeralContainers)`;
const MAP_LISTS: Array<{ path: RegExp; keys: string[]; defaults?: Record<string, unknown> }> = [
  {
    path: new RegExp(`(^|\\.)${CONTAINER_LISTS}\\.\\[\\]\\.ports$`),
    keys: ['containerPort', 'protocol'],
    defaults: { protocol: 'TCP' },
  },
  { path: /^spec\.ports$/, keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } },
  { path: new RegExp(`(^|\\.)${CONTAINER_LISTS}$`), keys: ['name'] },
  { path: /\.\[\]\.env$/, keys: ['name'] },
  { path: /(^|\.)(volumes|imagePullSecrets|hostAliases)$/, keys: ['name'] },
  { path: /\.\[\]\.volumeMounts$/, keys: ['mountPath'] },
  { path: /\.\[\]\.volumeDevices$/, keys: ['devicePath'] },
  { path: /(^|\.)conditions$/, keys: ['type'] },
  { path: /(^|\.)topologySpreadConstraints$/, keys: ['topologyKey', 'whenUnsatisfiable'] },
  { path: /^metadata\.ownerReferences$/, keys: ['uid'] },
];
const SET_LISTS = [/^metadata\.finalizers$/, /^spec\.finalizers$/];
/** Maps that are replaced whole (`x-kubernetes-map-type: atomic`): label selectors and node selectors. */
const ATOMIC_MAPS = [/(^|\.)selector$/, /(^|\.)nodeSelector$/, /\.matchLabels$/];

const pathText = (path: readonly string[]) => path.join('.');

export function listTypeAt(path: readonly string[]): ListType {
  const text = pathText(path);
  const map = MAP_LISTS.find((l) => l.path.test(text));
  if (map) return { type: 'map', keys: map.keys, defaults: map.defaults ?? {} };
  if (SET_LISTS.some((p) => p.test(text))) return { type: 'set' };
  return { type: 'atomic' };
}

export function isAtomicMap(path: readonly string[]): boolean {
  const text = pathText(path);
  // A Service's selector is a plain map of labels, atomic too; a ServiceMonitor's namespaceSelector is not.
  return ATOMIC_MAPS.some((p) => p.test(text));
}

/** The key fields of a list-map item, defaults filled in, in canonical (sorted) form. */
export function itemKey(item: unknown, list: Extract<ListType, { type: 'map' }>): JsonObject {
  const source = isObject(item) ? item : {};
  return Object.fromEntries<unknown>(
    [...list.keys]
      .sort()
      .map((k): [string, unknown] => [k, source[k] ?? list.defaults[k]])
      .filter(([, v]) => v !== undefined),
  );
}

export function sameItem(a: unknown, b: unknown, list: Extract<ListType, { type: 'map' }>): boolean {
  return canonicalJson(itemKey(a, list)) === canonicalJson(itemKey(b, list));
}
