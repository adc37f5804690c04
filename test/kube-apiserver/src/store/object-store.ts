import { randomUUID } from 'node:crypto';
import { clone, deepEqual, kubeTime } from '../json.js';
import { type ResourceType, apiVersionOf } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { WatchHub } from './watch-hub.js';

function resourceKey(resource: ResourceType): string {
  return `${resource.group}/${resource.plural}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * The cluster's state: objects by resource, one global resourceVersion counter bumped by every write,
 * and the watch hub that hears about each change. Callers get copies; nothing outside mutates what is stored.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, { resource: ResourceType; objects: Map<string, KubeObject> }>();
  private revision = 1;
  readonly hub: WatchHub;

  constructor(watchHistorySize: number) {
    this.hub = new WatchHub(watchHistorySize);
  }

  resourceVersion(): number {
    return this.revision;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(resource).get(objectKey(resource.namespaced ? namespace : undefined, name));
    return found && clone(found);
  }

  /** Copies of the stored objects; `where` picks before copying (controllers look for a few among many). */
  list(resource: ResourceType, namespace?: string, where?: (object: KubeObject) => boolean): KubeObject[] {
    return [...this.bucket(resource).values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && (!where || where(o)))
      .map((o) => clone(o));
  }

  /** Stores a new object, giving it a uid, a creation time and the next resourceVersion. */
  create(resource: ResourceType, object: KubeObject): KubeObject {
    const stored = this.withTypeMeta(resource, clone(object));
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= kubeTime();
    stored.metadata.resourceVersion = String(++this.revision);
    this.bucket(resource).set(objectKey(stored.metadata.namespace, stored.metadata.name!), stored);
    this.hub.publish({ type: 'ADDED', resource, object: clone(stored), resourceVersion: this.revision });
    return clone(stored);
  }

  /** Replaces a stored object; a write that changes nothing keeps its resourceVersion and tells nobody. */
  update(resource: ResourceType, object: KubeObject): KubeObject {
    const bucket = this.bucket(resource);
    const key = objectKey(object.metadata.namespace, object.metadata.name!);
    const previous = bucket.get(key);
    if (!previous) throw new Error(`update of a missing object ${key}`);
    const stored = this.withTypeMeta(resource, clone(object));
    stored.metadata.resourceVersion = previous.metadata.resourceVersion;
    if (deepEqual(stored, previous)) return clone(previous);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, stored);
    this.hub.publish({
      type: 'MODIFIED',
      resource,
      object: clone(stored),
      previous,
      resourceVersion: this.revision,
    });
    return clone(stored);
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.bucket(resource);
    const key = objectKey(resource.namespaced ? namespace : undefined, name);
    const previous = bucket.get(key);
    if (!previous) return undefined;
    bucket.delete(key);
    const gone = {
      ...clone(previous),
      metadata: { ...clone(previous.metadata), resourceVersion: String(++this.revision) },
    };
    this.hub.publish({
      type: 'DELETED',
      resource,
      object: clone(gone),
      previous,
      resourceVersion: this.revision,
    });
    return gone;
  }

  /** Every stored object of any resource whose ownerReferences name `uid`. */
  dependentsOf(uid: string): Array<{ resource: ResourceType; object: KubeObject }> {
    const found: Array<{ resource: ResourceType; object: KubeObject }> = [];
    for (const { resource, objects } of this.buckets.values()) {
      for (const object of objects.values()) {
        if (object.metadata.ownerReferences?.some((o) => o.uid === uid))
          found.push({ resource, object: clone(object) });
      }
    }
    return found;
  }

  private withTypeMeta(resource: ResourceType, object: KubeObject): KubeObject {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
    return { apiVersion: apiVersionOf(resource), kind: resource.kind, ...rest, metadata: rest.metadata };
  }

  private bucket(resource: ResourceType): Map<string, KubeObject> {
    const key = resourceKey(resource);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { resource, objects: new Map() };
      this.buckets.set(key, bucket);
    }
    return bucket.objects;
  }
}
