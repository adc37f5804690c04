import { type ResourceType, qualifiedName } from '../resources/catalog.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** A Kubernetes `Status` failure: thrown anywhere in a request, answered with its code and body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: {
      name?: string;
      group?: string;
      kind?: string;
      causes?: StatusCause[];
      retryAfterSeconds?: number;
    },
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function details(resource: ResourceType, name: string) {
  return { name, group: resource.group, kind: resource.plural };
}

export function notFound(resource: ResourceType, name: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualifiedName(resource)} "${name}" not found`,
    details(resource, name),
  );
}

export function namespaceNotFound(namespace: string): ApiError {
  return new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, {
    name: namespace,
    group: '',
    kind: 'namespaces',
  });
}

export function alreadyExists(resource: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedName(resource)} "${name}" already exists`,
    details(resource, name),
  );
}

export function modifiedConflict(resource: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(resource, name),
  );
}

export function invalid(resource: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const listed = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
  const kind = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group: resource.group,
    kind: resource.kind,
    causes,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format: ${contentType}`,
  );
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource: ${method}`,
  );
}

export function pathNotFound(path: string): ApiError {
  return new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
}

export function expired(requested: string, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

export function injectedFailure(code: number): ApiError {
  const reason = code === 503 ? 'ServiceUnavailable' : code === 429 ? 'TooManyRequests' : 'InternalError';
  return new ApiError(code, reason, `injected fault: the server answered ${code}`, {
    ...(code === 429 || code === 503 ? { retryAfterSeconds: 1 } : {}),
  });
}

export function applyConflict(
  resource: ResourceType,
  name: string,
  conflicts: ReadonlyArray<{ manager: string; apiVersion: string; field: string }>,
): ApiError {
  const owners = [...new Set(conflicts.map((c) => c.manager))];
  const lines = owners.map((manager) => {
    const fields = conflicts.filter((c) => c.manager === manager);
    const using = fields[0]!.apiVersion ? ` using ${fields[0]!.apiVersion}` : '';
    return fields.length === 1
      ? `conflict with "${manager}"${using}: ${fields[0]!.field}`
      : `conflicts with "${manager}"${using}:\n${fields.map((f) => `- ${f.field}`).join('\n')}`;
  });
  const count = conflicts.length;
  return new ApiError(
    409,
    'Conflict',
    `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${lines.join('\n')}`,
    {
      ...details(resource, name),
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`,
        field: c.field,
      })),
    },
  );
}
