import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { ApiError, badRequest, methodNotAllowed } from '../api/errors.js';
import type { DeleteOptions, ObjectApi, WriteOptions } from '../api/object-api.js';
import type { Faults } from '../faults/faults.js';
import { type ResourceType, apiVersionOf } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';
import { OBJECT_MEDIA_TYPES, PATCH_MEDIA_TYPES, patchTypeOf, readBody } from './body.js';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { openApiV3Document, openApiV3Root } from './openapi.js';
import { type PodLogOptions, servePodLog } from './pod-log-stream.js';
import { type Route, route } from './routes.js';
import { serveWatch } from './watch-stream.js';

export interface HttpContext {
  api: ObjectApi;
  store: ObjectStore;
  faults: Faults;
  logs: PodLogOptions;
}

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
  if (apiError.code === 500 && !(error instanceof ApiError))
    console.error('kube-apiserver internal error:', error);
  if (response.headersSent) {
    response.end();
    return;
  }
  sendJson(response, apiError.code, apiError.toStatus());
}

/** The HTTP face of the server: faults first, then discovery, OpenAPI, and the resource verbs. */
export function createHttpServer(context: HttpContext): Server {
  return createServer((request, response) => {
    handle(context, request, response).catch((error: unknown) => sendError(response, error));
  });
}

async function handle(
  context: HttpContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const injected = await context.faults.intercept(method, request.url ?? '/');
  if (injected) {
    request.resume();
    throw injected;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const target = route(url.pathname);
  if (target.kind !== 'resource') {
    if (method !== 'GET') throw methodNotAllowed(method);
    const body = staticDocument(target, request.headers.host ?? '127.0.0.1');
    if (body === undefined)
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
    if (typeof body === 'string') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(body);
      return;
    }
    sendJson(response, 200, body);
    return;
  }
  await handleResource(context, request, response, target, url.searchParams);
}

function staticDocument(target: Exclude<Route, { kind: 'resource' }>, host: string): unknown {
  switch (target.kind) {
    case 'apiVersions':
      return apiVersions(host);
    case 'groupList':
      return apiGroupList();
    case 'group':
      return apiGroupDocument(target.group);
    case 'resourceList':
      return apiResourceList(target.group, target.version);
    case 'version':
      return versionInfo();
    case 'health':
      return 'ok';
    case 'openapiV3Root':
      return openApiV3Root();
    case 'openapiV3':
      return openApiV3Document(target.path);
  }
}

function writeOptions(request: IncomingMessage, query: URLSearchParams): WriteOptions {
  const dryRun = query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All'))
    throw badRequest(`dryRun: Unsupported value: "${dryRun.join()}": supported values: "All"`);
  const given = query.get('fieldManager');
  const userAgent = (request.headers['user-agent'] ?? 'unknown').split('/')[0]!;
  const force = query.get('force');
  return {
    dryRun: dryRun.length > 0,
    fieldManager: given ?? userAgent,
    fieldManagerGiven: given !== null && given !== '',
    ...(force !== null ? { force: force === 'true' || force === '1' } : {}),
  };
}

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const fromBody = (body ?? {}) as {
    propagationPolicy?: string;
    dryRun?: string[];
    preconditions?: DeleteOptions['preconditions'];
  };
  const policy = query.get('propagationPolicy') ?? fromBody.propagationPolicy;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
  }
  return {
    dryRun: query.getAll('dryRun').includes('All') || (fromBody.dryRun ?? []).includes('All'),
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : {}),
    ...(fromBody.preconditions ? { preconditions: fromBody.preconditions } : {}),
  };
}

/** Built-in list items carry no kind/apiVersion (the list says it once); custom resources' items do. */
function listOf(resource: ResourceType, items: KubeObject[], resourceVersion: number) {
  return {
    apiVersion: apiVersionOf(resource),
    kind: `${resource.kind}List`,
    metadata: { resourceVersion: String(resourceVersion) },
    items: resource.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}

async function handleResource(
  { api, store, faults, logs }: HttpContext,
  request: IncomingMessage,
  response: ServerResponse,
  { resource, namespace, name, subresource }: Extract<Route, { kind: 'resource' }>,
  query: URLSearchParams,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (name === undefined) {
    if (method === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
      serveWatch(request, response, store, faults, { resource, ...(namespace ? { namespace } : {}), query });
      return;
    }
    if (method === 'GET') {
      const items = api.list(resource, namespace, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      sendJson(response, 200, listOf(resource, items, store.resourceVersion()));
      return;
    }
    if (method === 'POST') {
      const body = await readBody(request, OBJECT_MEDIA_TYPES);
      sendJson(response, 201, api.create(resource, namespace, body, writeOptions(request, query)));
      return;
    }
    if (method === 'DELETE') {
      const options = deleteOptions(query, await readBody(request, OBJECT_MEDIA_TYPES));
      const selectors = {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      };
      const deleted = api.deleteCollection(resource, namespace, selectors, options);
      sendJson(response, 200, listOf(resource, deleted, store.resourceVersion()));
      return;
    }
    throw methodNotAllowed(method);
  }

  if (subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed(method);
    servePodLog(
      request,
      response,
      { api, store, options: logs },
      { namespace: namespace ?? '', name, query },
    );
    return;
  }
  if (subresource === 'status' || subresource === 'scale') {
    const write = subresource === 'status' ? api.writeStatus.bind(api) : api.writeScale.bind(api);
    if (method === 'GET') {
      sendJson(
        response,
        200,
        subresource === 'scale'
          ? api.getScale(resource, namespace, name)
          : api.get(resource, namespace, name),
      );
    } else if (method === 'PUT') {
      const body = await readBody(request, OBJECT_MEDIA_TYPES);
      sendJson(
        response,
        200,
        write(resource, namespace, name, { type: 'replace', body }, writeOptions(request, query)),
      );
    } else if (method === 'PATCH') {
      const type = patchTypeOf(request);
      const body = await readBody(request, PATCH_MEDIA_TYPES);
      sendJson(response, 200, write(resource, namespace, name, { type, body }, writeOptions(request, query)));
    } else throw methodNotAllowed(method);
    return;
  }

  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') {
        serveWatch(request, response, store, faults, {
          resource,
          ...(namespace ? { namespace } : {}),
          name,
          query,
        });
        return;
      }
      sendJson(response, 200, api.get(resource, namespace, name));
      return;
    case 'PUT': {
      const body = await readBody(request, OBJECT_MEDIA_TYPES);
      sendJson(response, 200, api.replace(resource, namespace, name, body, writeOptions(request, query)));
      return;
    }
    case 'PATCH': {
      const type = patchTypeOf(request);
      const body = await readBody(request, PATCH_MEDIA_TYPES);
      const existed = type === 'apply' && store.get(resource, namespace, name) !== undefined;
      const result = api.patch(resource, namespace, name, type, body, writeOptions(request, query));
      sendJson(response, type === 'apply' && !existed && !query.has('dryRun') ? 201 : 200, result);
      return;
    }
    case 'DELETE': {
      const options = deleteOptions(query, await readBody(request, OBJECT_MEDIA_TYPES));
      sendJson(response, 200, api.delete(resource, namespace, name, options));
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}
