import type { ObjectApi } from '../api/object-api.js';
import { clone } from '../json.js';
import { PODS, REPLICA_SETS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';
import { controllerRef, isOwnedBy, isPodReady, randomSuffix } from './owners.js';

interface ReplicaSetSpec {
  replicas?: number;
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: Record<string, unknown>;
  };
}

export const CONTROLLER_MANAGER = {
  dryRun: false,
  fieldManager: 'kube-controller-manager',
  fieldManagerGiven: true,
};

/** Keeps as many pods as each ReplicaSet asks for, and reports how many are ready. */
export class ReplicaSetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ObjectApi,
  ) {}

  reconcile(namespace: string, name: string): void {
    const rs = this.store.get(REPLICA_SETS, namespace, name);
    if (!rs) return;
    const spec = rs.spec as ReplicaSetSpec;
    const pods = this.podsOf(rs);
    const wanted = spec.replicas ?? 1;
    for (let i = pods.length; i < wanted; i++) this.createPod(rs, spec);
    if (pods.length > wanted) {
      const doomed = [...pods]
        .sort(
          (a, b) =>
            Number(isPodReady(a)) - Number(isPodReady(b)) ||
            (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
        )
        .slice(0, pods.length - wanted);
      for (const pod of doomed) this.store.delete(PODS, namespace, pod.metadata.name!);
    }
    const remaining = this.podsOf(rs);
    const ready = remaining.filter(isPodReady).length;
    const status = {
      replicas: remaining.length,
      fullyLabeledReplicas: remaining.length,
      ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation,
    };
    this.store.update(REPLICA_SETS, { ...rs, status });
  }

  podsOf(rs: KubeObject): KubeObject[] {
    return this.store.list(PODS, rs.metadata.namespace, (p) => isOwnedBy(p, rs));
  }

  private createPod(rs: KubeObject, spec: ReplicaSetSpec): void {
    const template = clone(spec.template);
    this.api.create(
      PODS,
      rs.metadata.namespace,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${rs.metadata.name}-${randomSuffix()}`,
          namespace: rs.metadata.namespace,
          labels: template.metadata?.labels,
          ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
          ownerReferences: [controllerRef(REPLICA_SETS, rs)],
        },
        spec: { ...template.spec, nodeName: 'aviary-test-node' },
      },
      CONTROLLER_MANAGER,
    );
  }
}
