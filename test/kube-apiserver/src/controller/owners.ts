import { createHash } from 'node:crypto';
import { canonicalJson } from '../json.js';
import { type ResourceType, apiVersionOf } from '../resources/catalog.js';
import type { KubeObject, OwnerReference } from '../resources/kube-object.js';

export function controllerRef(resource: ResourceType, owner: KubeObject): OwnerReference {
  return {
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((o) => o.controller);
}

export function isOwnedBy(object: KubeObject, owner: KubeObject): boolean {
  return controllerOf(object)?.uid === owner.metadata.uid;
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The pod-template-hash of a pod template: stable for equal content whatever its key order. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(template)).digest();
  return [...digest.subarray(0, 10)].map((b) => SAFE[b % SAFE.length]).join('');
}

export function randomSuffix(length = 5): string {
  return Array.from({ length }, () => SAFE[Math.floor(Math.random() * SAFE.length)]).join('');
}
