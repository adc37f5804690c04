import type { ObjectApi } from '../api/object-api.js';
import { clone, deepEqual, kubeTime } from '../json.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';
import { controllerRef, isOwnedBy, isPodReady, templateHash } from './owners.js';
import { CONTROLLER_MANAGER, type ReplicaSetController } from './replica-set-controller.js';
import type { Timers } from './work-queue.js';

const REVISION = 'deployment.kubernetes.io/revision';

interface DeploymentSpec {
  replicas: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  selector: { matchLabels?: Record<string, string> };
  strategy?: {
    type?: string;
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  template: { metadata?: { labels?: Record<string, string> } };
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
}

function resolve(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const exact = (Number.parseInt(value, 10) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return 0;
}

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
const replicasOf = (rs: KubeObject) => (rs.spec as { replicas?: number }).replicas ?? 0;

/**
 * The Deployment controller: one ReplicaSet per pod template, rolled by maxSurge/maxUnavailable (or
 * Recreate), old ReplicaSets trimmed to revisionHistoryLimit, and a status with observedGeneration, the
 * replica counts and the Available and Progressing conditions (ProgressDeadlineExceeded included).
 */
export class DeploymentController {
  /** When each rollout last made progress, to the millisecond, by deployment uid. */
  private readonly lastProgress = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly api: ObjectApi,
    private readonly replicaSets: ReplicaSetController,
    private readonly timers: Timers,
    private readonly requeue: (namespace: string, name: string) => void,
  ) {}

  forget(deployment: KubeObject): void {
    this.lastProgress.delete(deployment.metadata.uid!);
    this.timers.clear(`deadline/${deployment.metadata.uid}`);
  }

  reconcile(namespace: string, name: string): void {
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    if (!deployment) return;
    const spec = deployment.spec as DeploymentSpec;
    const owned = this.store
      .list(REPLICA_SETS, namespace, (rs) => isOwnedBy(rs, deployment))
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const hash = templateHash(spec.template);
    const latestRevision = Math.max(0, ...owned.map(revisionOf));
    let newRs = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const created = !newRs;
    if (!newRs) {
      newRs = this.createReplicaSet(
        deployment,
        hash,
        latestRevision + 1,
        owned.length === 0 ? spec.replicas : 0,
      );
    } else if (revisionOf(newRs) < latestRevision) {
      newRs = this.store.update(REPLICA_SETS, withRevision(newRs, latestRevision + 1));
    }
    const old = owned.filter((rs) => rs.metadata.uid !== newRs.metadata.uid);
    if (!spec.paused) this.rollStep(spec, newRs, old);
    this.trimHistory(spec, old);
    this.writeStatus(deployment, spec, newRs, created);
  }

  private createReplicaSet(
    deployment: KubeObject,
    hash: string,
    revision: number,
    replicas: number,
  ): KubeObject {
    const spec = deployment.spec as DeploymentSpec;
    const template = clone(spec.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
    };
    const rs = this.api.create(
      REPLICA_SETS,
      deployment.metadata.namespace,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${deployment.metadata.name}-${hash}`,
          namespace: deployment.metadata.namespace,
          labels: template.metadata.labels,
          annotations: { [REVISION]: String(revision) },
          ownerReferences: [controllerRef(DEPLOYMENTS, deployment)],
        },
        spec: {
          replicas,
          selector: {
            ...spec.selector,
            matchLabels: { ...spec.selector.matchLabels, 'pod-template-hash': hash },
          },
          template,
        },
      },
      CONTROLLER_MANAGER,
    );
    this.lastProgress.set(deployment.metadata.uid!, Date.now());
    return rs;
  }

  /** One step of the rollout; later steps come as pods become ready and the ReplicaSets report it. */
  private rollStep(spec: DeploymentSpec, newRs: KubeObject, old: KubeObject[]): void {
    const desired = spec.replicas;
    const oldTotal = old.reduce((n, rs) => n + replicasOf(rs), 0);
    if (spec.strategy?.type === 'Recreate') {
      if (oldTotal > 0) for (const rs of old) this.scale(rs, 0);
      else if (old.every((rs) => this.replicaSets.podsOf(rs).length === 0)) this.scale(newRs, desired);
      return;
    }
    if (oldTotal === 0) {
      this.scale(newRs, desired);
      return;
    }
    const maxSurge = resolve(spec.strategy?.rollingUpdate?.maxSurge, desired, true);
    let maxUnavailable = resolve(spec.strategy?.rollingUpdate?.maxUnavailable, desired, false);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const newCount = replicasOf(newRs);
    const room = desired + maxSurge - (newCount + oldTotal);
    if (room > 0 && newCount < desired) this.scale(newRs, Math.min(desired, newCount + room));

    const available = [newRs, ...old].reduce(
      (n, rs) => n + this.replicaSets.podsOf(rs).filter(isPodReady).length,
      0,
    );
    let budget = Math.max(0, available - (desired - maxUnavailable));
    for (const rs of old) {
      const current = replicasOf(rs);
      const unhealthy = Math.max(0, current - this.replicaSets.podsOf(rs).filter(isPodReady).length);
      const remove = Math.min(current, unhealthy + budget);
      if (remove === 0) continue;
      budget -= Math.max(0, remove - unhealthy);
      this.scale(rs, current - remove);
    }
  }

  private trimHistory(spec: DeploymentSpec, old: KubeObject[]): void {
    const idle = old.filter((rs) => replicasOf(rs) === 0 && this.replicaSets.podsOf(rs).length === 0);
    const excess = idle.length - (spec.revisionHistoryLimit ?? 10);
    for (const rs of idle.slice(0, Math.max(0, excess)))
      this.store.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!);
  }

  private scale(rs: KubeObject, replicas: number): void {
    if (replicasOf(rs) === replicas) return;
    this.api.patch(
      REPLICA_SETS,
      rs.metadata.namespace,
      rs.metadata.name!,
      'merge',
      { spec: { replicas } },
      CONTROLLER_MANAGER,
    );
  }

  private writeStatus(
    deployment: KubeObject,
    spec: DeploymentSpec,
    newRs: KubeObject,
    created: boolean,
  ): void {
    const uid = deployment.metadata.uid!;
    const desired = spec.replicas;
    const owned = this.store.list(REPLICA_SETS, deployment.metadata.namespace, (rs) =>
      isOwnedBy(rs, deployment),
    );
    const pods = owned.flatMap((rs) => this.replicaSets.podsOf(rs));
    const updated = this.replicaSets.podsOf(newRs).length;
    const ready = pods.filter(isPodReady).length;
    const scaled = owned.reduce((n, rs) => n + replicasOf(rs), 0);
    const previous = (deployment.status ?? {}) as DeploymentStatus;
    const counts = {
      replicas: pods.length,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, scaled - ready),
    };
    const maxUnavailable =
      spec.strategy?.type === 'Recreate'
        ? 0
        : resolve(spec.strategy?.rollingUpdate?.maxUnavailable, desired, false);
    const now = Date.now();
    const complete = updated === desired && pods.length === desired && ready === desired;
    const progressed =
      created ||
      (['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const).some(
        (k) => (previous[k] ?? 0) !== counts[k],
      );
    if (progressed || !this.lastProgress.has(uid)) this.lastProgress.set(uid, now);
    const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * 1000;
    const rsName = newRs.metadata.name!;
    const conditions = previous.conditions ?? [];
    const progressing: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'> = complete
      ? {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
        }
      : created
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetCreated',
            message: `Created new replica set "${rsName}"`,
          }
        : now - this.lastProgress.get(uid)! >= deadlineMs
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${rsName}" has timed out progressing.`,
            }
          : progressed ||
              conditions.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable'
            ? {
                type: 'Progressing',
                status: 'True',
                reason: 'ReplicaSetUpdated',
                message: `ReplicaSet "${rsName}" is progressing.`,
              }
            : (conditions.find((c) => c.type === 'Progressing') ?? {
                type: 'Progressing',
                status: 'True',
                reason: 'ReplicaSetUpdated',
                message: `ReplicaSet "${rsName}" is progressing.`,
              });
    const available: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'> =
      ready >= desired - maxUnavailable
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          };
    const status: DeploymentStatus = {
      observedGeneration: deployment.metadata.generation,
      ...Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0)),
      conditions: [withTimes(available, conditions), withTimes(progressing, conditions)],
    };
    const revision = newRs.metadata.annotations?.[REVISION];
    const annotations = { ...deployment.metadata.annotations, ...(revision ? { [REVISION]: revision } : {}) };
    if (!deepEqual(status, previous) || !deepEqual(annotations, deployment.metadata.annotations ?? {})) {
      this.store.update(DEPLOYMENTS, {
        ...deployment,
        metadata: { ...deployment.metadata, annotations },
        status,
      });
    }
    if (!complete && progressing.reason !== 'ProgressDeadlineExceeded') {
      const { namespace, name } = deployment.metadata;
      const wait = Math.max(0, this.lastProgress.get(uid)! + deadlineMs - now) + 5;
      this.timers.set(`deadline/${uid}`, wait, () => this.requeue(namespace!, name!));
    } else this.timers.clear(`deadline/${uid}`);
  }
}

function withRevision(rs: KubeObject, revision: number): KubeObject {
  return {
    ...rs,
    metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [REVISION]: String(revision) } },
  };
}

/** Keeps a condition's times when nothing about it changed, as the real controller does. */
function withTimes(
  next: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>,
  previous: Condition[],
): Condition {
  const before = previous.find((c) => c.type === next.type);
  const now = kubeTime();
  const same =
    before &&
    before.status === next.status &&
    before.reason === next.reason &&
    before.message === next.message;
  return {
    type: next.type,
    status: next.status,
    lastUpdateTime: same ? before.lastUpdateTime : now,
    lastTransitionTime: before && before.status === next.status ? before.lastTransitionTime : now,
    reason: next.reason,
    message: next.message,
  };
}
