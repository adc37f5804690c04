import { RESOURCES, type ResourceType, apiVersionOf } from '../resources/catalog.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface GroupVersion {
  group: string;
  version: string;
}

export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** `GET /api`. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `GET /apis`. */
export function apiGroupList() {
  const groups = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** `GET /apis/<group>`, or undefined for a group not served. */
export function apiGroupDocument(group: string) {
  if (!RESOURCES.some((r) => r.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

function subresourceEntries(r: ResourceType) {
  return r.subresources.map((sub) => {
    const entry = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced };
    if (sub === 'scale')
      return {
        ...entry,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      };
    if (sub === 'log') return { ...entry, kind: r.kind, verbs: ['get'] };
    return { ...entry, kind: r.kind, verbs: ['get', 'patch', 'update'] };
  });
}

/** `GET /api/v1` or `GET /apis/<group>/<version>`: the APIResourceList, or undefined if not served. */
export function apiResourceList(group: string, version: string) {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: served.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
        ...(r.custom ? {} : { categories: ['all'] }),
      },
      ...subresourceEntries(r),
    ]),
  };
}

/** `GET /version`. */
export function versionInfo() {
  return {
    major: '1',
    minor: '35',
    gitVersion: 'v1.35.0-aviary-test',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.25',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
