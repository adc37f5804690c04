import { randomBytes, randomUUID } from 'node:crypto';
import { clone, deepEqual, isObject, kubeTime, withoutNulls } from '../json.js';
import { mergePatch } from '../patch/merge-patch.js';
import { jsonPatch } from '../patch/json-patch.js';
import { strategicMergePatch } from '../patch/strategic-merge-patch.js';
import { NAMESPACES, RESOURCES, type ResourceType, apiVersionOf } from '../resources/catalog.js';
import { applyDefaults } from '../resources/defaults.js';
import { type KubeObject, asKubeObject } from '../resources/kube-object.js';
import { matchesFields, parseFieldSelector } from '../selectors/field-selector.js';
import {
  matches,
  parseLabelSelector,
  selectorText,
  type LabelSelectorObject,
} from '../selectors/label-selector.js';
import { describePath } from '../ssa/field-set.js';
import { serverSideApply } from '../ssa/server-side-apply.js';
import { trackUpdate } from '../ssa/update-tracking.js';
import type { ObjectStore } from '../store/object-store.js';
import { validateObject } from '../validation/validate.js';
import {
  ApiError,
  alreadyExists,
  applyConflict,
  badRequest,
  modifiedConflict,
  namespaceNotFound,
  notFound,
  unsupportedMediaType,
} from './errors.js';

export type PatchType = 'apply' | 'merge' | 'strategic' | 'json';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  /** Whether the request named its field manager (server-side apply requires it). */
  fieldManagerGiven: boolean;
  force?: boolean;
}

export interface DeleteOptions {
  dryRun: boolean;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

/** Kinds whose metadata.generation counts changes to everything but metadata and status. */
const TRACKS_GENERATION = new Set([
  'Deployment',
  'ReplicaSet',
  'HorizontalPodAutoscaler',
  'Ingress',
  'Pod',
  'ServiceMonitor',
]);

/**
 * The REST semantics of every resource, without HTTP: reads, creates, updates, the four patch types,
 * deletes with garbage collection, and the status and scale subresources. Throws ApiError.
 */
export class ObjectApi {
  constructor(private readonly store: ObjectStore) {}

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(resource, namespace, name);
    if (!found) throw notFound(resource, name);
    return found;
  }

  list(resource: ResourceType, namespace: string | undefined, query: ListQuery): KubeObject[] {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector, resource);
    return this.store
      .list(resource, namespace)
      .filter((o) => matches(labels, o.metadata.labels) && matchesFields(fields, o));
  }

  create(
    resource: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const object = this.decode(resource, body);
    this.checkNamespace(resource, namespace, object);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    if (object.metadata.name && this.store.get(resource, namespace, object.metadata.name)) {
      throw alreadyExists(resource, object.metadata.name);
    }
    return this.commit(resource, undefined, object, options);
  }

  replace(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const object = this.decode(resource, body);
    this.checkNamespace(resource, namespace, object);
    this.checkName(name, object);
    const previous = this.get(resource, namespace, name);
    return this.commit(resource, previous, object, options);
  }

  patch(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions,
  ): KubeObject {
    if (type === 'apply') return this.apply(resource, namespace, name, patch, options);
    if (options.force !== undefined)
      throw badRequest('force: Forbidden: may not be specified for non-apply patch');
    if (type === 'strategic' && resource.custom)
      throw unsupportedMediaType('application/strategic-merge-patch+json');
    const previous = this.get(resource, namespace, name);
    const patched = objectFrom(this.patchValue(type, previous, patch));
    this.checkName(name, patched);
    return this.commit(resource, previous, patched, options);
  }

  /** The object as a status writer changes it: only its status moves. */
  writeStatus(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    change: { type: PatchType | 'replace'; body: unknown },
    options: WriteOptions,
  ): KubeObject {
    const previous = this.get(resource, namespace, name);
    // An apply to the status subresource merges like a merge patch: status ownership is not tracked.
    const patchType = change.type === 'apply' ? 'merge' : change.type;
    const changed =
      patchType === 'replace'
        ? this.decode(resource, change.body)
        : objectFrom(this.patchValue(patchType, previous, change.body));
    this.checkResourceVersion(resource, previous, changed);
    const next = { ...previous, status: changed.status };
    validateObject(resource, next, previous);
    return options.dryRun ? next : this.store.update(resource, next);
  }

  getScale(resource: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return scaleOf(this.get(resource, namespace, name));
  }

  writeScale(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    change: { type: PatchType | 'replace'; body: unknown },
    options: WriteOptions,
  ): KubeObject {
    if (change.type === 'apply') throw unsupportedMediaType('application/apply-patch+yaml');
    const previous = this.get(resource, namespace, name);
    const scale = scaleOf(previous);
    const changed =
      change.type === 'replace' ? change.body : this.patchValue(change.type, scale, change.body);
    const replicas = isObject(changed) && isObject(changed.spec) ? changed.spec.replicas : undefined;
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    }
    const next = clone(previous);
    (next.spec as { replicas: number }).replicas = replicas as number;
    return scaleOf(this.commit(resource, previous, next, options));
  }

  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): Record<string, unknown> {
    const existing = this.get(resource, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (
      (uid && uid !== existing.metadata.uid) ||
      (resourceVersion && resourceVersion !== existing.metadata.resourceVersion)
    ) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource.plural} "${name}": the precondition does not match`,
      );
    }
    if (!options.dryRun)
      this.deleteWithDependents(resource, existing, options.propagationPolicy ?? 'Background');
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: resource.group, kind: resource.plural, uid: existing.metadata.uid },
    };
  }

  deleteCollection(
    resource: ResourceType,
    namespace: string | undefined,
    query: ListQuery,
    options: DeleteOptions,
  ): KubeObject[] {
    const doomed = this.list(resource, namespace, query);
    if (!options.dryRun) {
      for (const object of doomed)
        this.deleteWithDependents(resource, object, options.propagationPolicy ?? 'Background');
    }
    return doomed;
  }

  private apply(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: WriteOptions,
  ): KubeObject {
    if (!options.fieldManagerGiven) {
      throw new ApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const config = objectFrom(withoutNulls(patch));
    if (!config.apiVersion || !config.kind)
      throw badRequest('apiVersion and kind must be set in an applied configuration');
    this.checkTypeMeta(resource, config);
    this.checkNamespace(resource, namespace, config);
    this.checkName(name, config);
    const previous = this.store.get(resource, namespace, name);
    const live = previous ?? {
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: { name, ...(resource.namespaced ? { namespace } : {}) },
    };
    const outcome = serverSideApply({
      resource,
      live,
      config,
      manager: options.fieldManager,
      force: options.force ?? false,
    });
    if (outcome.conflicts) {
      throw applyConflict(
        resource,
        name,
        outcome.conflicts.map((c) => ({
          manager: c.manager,
          apiVersion: c.apiVersion,
          field: describePath(c.path),
        })),
      );
    }
    return this.commit(resource, previous, outcome.object, options, outcome.object.metadata.managedFields);
  }

  /** Defaults, generation, validation, field ownership, then the store (unless dry run). */
  private commit(
    resource: ResourceType,
    previous: KubeObject | undefined,
    candidate: KubeObject,
    options: WriteOptions,
    appliedFields?: KubeObject['metadata']['managedFields'],
  ): KubeObject {
    if (previous) this.checkResourceVersion(resource, previous, candidate);
    else this.requireNamespace(resource, candidate.metadata.namespace);
    const next = clone(candidate);
    // Identity and bookkeeping are the server's: kept from the stored object, never taken from the client.
    const {
      uid: _uid,
      creationTimestamp: _created,
      resourceVersion: _rv,
      generation: _generation,
      ...meta
    } = next.metadata;
    const server = previous?.metadata;
    next.metadata = server
      ? {
          ...meta,
          uid: server.uid,
          creationTimestamp: server.creationTimestamp,
          resourceVersion: server.resourceVersion,
        }
      : meta;
    if (resource.subresources.includes('status')) next.status = previous ? previous.status : {};
    applyDefaults(resource, next, previous);
    if (TRACKS_GENERATION.has(resource.kind)) {
      const generation = server?.generation ?? 0;
      next.metadata.generation = previous && !specChanged(previous, next) ? generation : generation + 1;
    }
    // The status of a resource with a status subresource is the server's own; clients cannot set it here.
    const { status: _status, ...withoutStatus } = next;
    validateObject(resource, resource.subresources.includes('status') ? withoutStatus : next, previous);
    next.metadata.managedFields =
      appliedFields ?? trackUpdate(resource, previous, next, options.fieldManager);
    if (options.dryRun) {
      next.metadata.uid ??= randomUUID();
      next.metadata.creationTimestamp ??= kubeTime();
      return { ...next, apiVersion: apiVersionOf(resource), kind: resource.kind };
    }
    return previous ? this.store.update(resource, next) : this.store.create(resource, next);
  }

  private patchValue(type: Exclude<PatchType, 'apply'>, target: unknown, patch: unknown): unknown {
    switch (type) {
      case 'merge':
        return mergePatch(target, patch);
      case 'strategic':
        return strategicMergePatch(target, patch);
      case 'json':
        return jsonPatch(target, patch);
    }
  }

  private deleteWithDependents(resource: ResourceType, object: KubeObject, policy: string): void {
    const { namespace, name, uid } = object.metadata;
    if (resource === NAMESPACES) {
      for (const r of RESOURCES.filter((r) => r.namespaced)) {
        for (const o of this.store.list(r, name)) this.store.delete(r, name, o.metadata.name!);
      }
    }
    this.store.delete(resource, namespace, name!);
    for (const dependent of this.store.dependentsOf(uid!)) {
      if (policy === 'Orphan') {
        const orphan = clone(dependent.object);
        orphan.metadata.ownerReferences = orphan.metadata.ownerReferences!.filter((o) => o.uid !== uid);
        if (orphan.metadata.ownerReferences.length === 0) delete orphan.metadata.ownerReferences;
        this.store.update(dependent.resource, orphan);
      } else this.deleteWithDependents(dependent.resource, dependent.object, policy);
    }
  }

  private decode(resource: ResourceType, body: unknown): KubeObject {
    const object = objectFrom(clone(body));
    this.checkTypeMeta(resource, object);
    return object;
  }

  private checkTypeMeta(resource: ResourceType, object: KubeObject): void {
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(resource)) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(resource)})`,
      );
    }
    if (object.kind !== undefined && object.kind !== resource.kind) {
      throw badRequest(
        `the kind in the data (${object.kind}) does not match the expected kind (${resource.kind})`,
      );
    }
  }

  private checkNamespace(resource: ResourceType, namespace: string | undefined, object: KubeObject): void {
    if (!resource.namespaced) {
      delete object.metadata.namespace;
      return;
    }
    if (object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    object.metadata.namespace = namespace;
  }

  private checkName(name: string, object: KubeObject): void {
    if (object.metadata.name && object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    object.metadata.name = name;
  }

  private requireNamespace(resource: ResourceType, namespace: string | undefined): void {
    if (!resource.namespaced) return;
    if (!namespace || !this.store.get(NAMESPACES, undefined, namespace))
      throw namespaceNotFound(namespace ?? '');
  }

  private checkResourceVersion(resource: ResourceType, previous: KubeObject, candidate: KubeObject): void {
    const wanted = candidate.metadata.resourceVersion;
    if (wanted && wanted !== previous.metadata.resourceVersion)
      throw modifiedConflict(resource, previous.metadata.name!);
  }
}

function objectFrom(value: unknown): KubeObject {
  if (!isObject(value)) throw badRequest('the request body must be a Kubernetes object');
  return asKubeObject(value);
}

function specChanged(previous: KubeObject, next: KubeObject): boolean {
  const { metadata: _a, status: _b, apiVersion: _c, kind: _d, ...before } = previous;
  const { metadata: _e, status: _f, apiVersion: _g, kind: _h, ...after } = next;
  return !deepEqual(before, after);
}

function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: LabelSelectorObject };
  const status = (object.status ?? {}) as { replicas?: number };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorText(spec.selector) },
  };
}
