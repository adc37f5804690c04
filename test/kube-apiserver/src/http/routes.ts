import { pathNotFound } from '../api/errors.js';
import { type ResourceType, type Subresource, findResource } from '../resources/catalog.js';

export type Route =
  | { kind: 'apiVersions' }
  | { kind: 'groupList' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'openapiV3Root' }
  | { kind: 'openapiV3'; path: string }
  | {
      kind: 'resource';
      resource: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: Subresource;
    };

/** Where a request path leads, or a 404 for a path the server does not serve. */
export function route(pathname: string): Route {
  const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [root, ...rest] = segments;
  if (segments.length === 0) throw pathNotFound(pathname);
  if (root === 'version' && rest.length === 0) return { kind: 'version' };
  if (['healthz', 'readyz', 'livez'].includes(root!)) return { kind: 'health' };
  if (root === 'openapi' && rest[0] === 'v3') {
    return rest.length === 1
      ? { kind: 'openapiV3Root' }
      : { kind: 'openapiV3', path: rest.slice(1).join('/') };
  }
  if (root === 'api') {
    if (rest.length === 0) return { kind: 'apiVersions' };
    return resourceRoute(pathname, '', rest[0]!, rest.slice(1));
  }
  if (root === 'apis') {
    if (rest.length === 0) return { kind: 'groupList' };
    if (rest.length === 1) return { kind: 'group', group: rest[0]! };
    return resourceRoute(pathname, rest[0]!, rest[1]!, rest.slice(2));
  }
  throw pathNotFound(pathname);
}

function resourceRoute(pathname: string, group: string, version: string, rest: string[]): Route {
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  let namespace: string | undefined;
  let parts = rest;
  // `/namespaces/<ns>/<resource>...` is namespaced; `/namespaces[/<name>]` is the Namespace resource itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && ['status', 'finalize'].includes(rest[2]!))
  ) {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = parts;
  const resource = findResource(group, version, plural!);
  if (!resource || extra.length > 0) throw pathNotFound(pathname);
  if (namespace !== undefined && !resource.namespaced) throw pathNotFound(pathname);
  if (subresource !== undefined && !resource.subresources.includes(subresource as Subresource)) {
    throw pathNotFound(pathname);
  }
  return {
    kind: 'resource',
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource: subresource as Subresource } : {}),
  };
}
