import { ApiError } from '../api/errors.js';
import { resourceOfObject } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { validateObject } from './validate.js';

/**
 * What the test server would refuse in a manifest, as the API server says it (`Deployment.apps "x" is
 * invalid: spec.replicas: ...`): the official schema and the API server's own rules, the same checks
 * as a create. Empty when the object would be accepted; a kind the server does not serve is a problem.
 */
export function manifestProblems(object: { apiVersion?: unknown; kind?: unknown }): string[] {
  const resource =
    typeof object.apiVersion === 'string' && typeof object.kind === 'string'
      ? resourceOfObject(object.apiVersion, object.kind)
      : undefined;
  if (!resource)
    return [`${String(object.apiVersion)} ${String(object.kind)} is not a kind the test server serves`];
  const manifest = object as KubeObject;
  try {
    validateObject(resource, { ...manifest, metadata: manifest.metadata ?? {} });
    return [];
  } catch (error) {
    if (error instanceof ApiError) return [error.message];
    throw error;
  }
}
