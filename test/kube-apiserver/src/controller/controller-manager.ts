import type { ObjectApi } from '../api/object-api.js';
import { DEPLOYMENTS, HPAS, PODS, REPLICA_SETS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';
import type { StoreEvent } from '../store/watch-hub.js';
import { DeploymentController } from './deployment-controller.js';
import { HpaController } from './hpa-controller.js';
import { controllerOf } from './owners.js';
import type { PodBehaviours } from './pod-behaviour.js';
import { PodLifecycle } from './pod-lifecycle.js';
import { ReplicaSetController } from './replica-set-controller.js';
import { Timers, WorkQueue } from './work-queue.js';

/** Runs the simulated controllers off the store's change feed, as kube-controller-manager and a kubelet would. */
export class ControllerManager {
  private readonly timers = new Timers();
  private readonly queue = new WorkQueue((key) => this.dispatch(key));
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly hpas: HpaController;
  private readonly pods: PodLifecycle;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: ObjectStore,
    api: ObjectApi,
    behaviours: PodBehaviours,
    crashLoopRestartIntervalMs: number,
  ) {
    this.replicaSets = new ReplicaSetController(store, api);
    this.deployments = new DeploymentController(store, api, this.replicaSets, this.timers, (ns, name) =>
      this.queue.add(`Deployment/${ns}/${name}`),
    );
    this.hpas = new HpaController(store, api);
    this.pods = new PodLifecycle(store, behaviours, this.timers, crashLoopRestartIntervalMs);
  }

  start(): void {
    this.unsubscribe = this.store.hub.subscribe((event) => this.observe(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
    this.timers.clearAll();
  }

  private observe({ type, resource, object }: StoreEvent): void {
    const { namespace, name } = object.metadata;
    if (resource === DEPLOYMENTS) {
      if (type === 'DELETED') this.deployments.forget(object);
      else this.queue.add(`Deployment/${namespace}/${name}`);
      this.enqueueAutoscalersOf(object);
    } else if (resource === REPLICA_SETS) {
      if (type !== 'DELETED') this.queue.add(`ReplicaSet/${namespace}/${name}`);
      this.enqueueOwner(object, 'Deployment');
    } else if (resource === PODS) {
      if (type === 'ADDED') this.queue.add(`PodStarted/${namespace}/${name}`);
      if (type === 'DELETED') this.pods.stopped(object);
      this.enqueueOwner(object, 'ReplicaSet');
    } else if (resource === HPAS && type !== 'DELETED') {
      this.queue.add(`HorizontalPodAutoscaler/${namespace}/${name}`);
    }
  }

  private enqueueOwner(object: KubeObject, kind: string): void {
    const owner = controllerOf(object);
    if (owner?.kind === kind) this.queue.add(`${kind}/${object.metadata.namespace}/${owner.name}`);
  }

  private enqueueAutoscalersOf(deployment: KubeObject): void {
    for (const hpa of this.store.list(HPAS, deployment.metadata.namespace)) {
      const target = (hpa.spec as { scaleTargetRef?: { kind?: string; name?: string } }).scaleTargetRef;
      if (target?.kind === 'Deployment' && target.name === deployment.metadata.name) {
        this.queue.add(`HorizontalPodAutoscaler/${hpa.metadata.namespace}/${hpa.metadata.name}`);
      }
    }
  }

  private dispatch(key: string): void {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    switch (kind) {
      case 'Deployment':
        return this.deployments.reconcile(namespace, name);
      case 'ReplicaSet':
        return this.replicaSets.reconcile(namespace, name);
      case 'HorizontalPodAutoscaler':
        return this.hpas.reconcile(namespace, name);
      case 'PodStarted': {
        const pod = this.store.get(PODS, namespace, name);
        if (pod && !(pod.status as { phase?: string } | undefined)?.phase) this.pods.started(pod);
      }
    }
  }
}
