import { RESOURCES } from '../resources/catalog.js';
import { groupVersions } from './discovery.js';

/**
 * The OpenAPI v3 documents kubectl reads before it writes: `kubectl apply` checks there that a PATCH
 * accepts `fieldValidation`, and then leaves validation to the server. The documents hold the paths
 * and their parameters, not the schemas (kubectl does not need them for what it does here).
 */
const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openApiV3Root() {
  return {
    paths: Object.fromEntries(
      groupVersions().map(({ group, version }) => [
        gvPath(group, version),
        { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=aviary` },
      ]),
    ),
  };
}

const query = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map(query);

export function openApiV3Document(path: string) {
  const served = RESOURCES.filter((r) => gvPath(r.group, r.version) === path);
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of served) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const base = `/${gvPath(r.group, r.version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    const operation = (verb: string, action: string) => ({
      operationId: `${verb}${r.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: WRITE_PARAMETERS,
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { get: operation('list', 'list'), post: operation('create', 'post') };
    paths[`${base}/{name}`] = {
      get: operation('read', 'get'),
      put: operation('replace', 'put'),
      patch: operation('patch', 'patch'),
      delete: operation('delete', 'delete'),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: { schemas: {} },
  };
}
