import type { ObjectApi } from '../api/object-api.js';
import { deepEqual, kubeTime } from '../json.js';
import { DEPLOYMENTS, HPAS } from '../resources/catalog.js';
import type { ObjectStore } from '../store/object-store.js';
import { CONTROLLER_MANAGER } from './replica-set-controller.js';

interface HpaSpec {
  minReplicas?: number;
  maxReplicas: number;
  scaleTargetRef: { kind: string; name: string };
}

/**
 * No metrics here, so the autoscaler only does what it would do at rest: keep its target's replicas
 * within [minReplicas, maxReplicas] (through the scale subresource) and report them in its status.
 */
export class HpaController {
  constructor(
    private readonly store: ObjectStore,
    private readonly api: ObjectApi,
  ) {}

  reconcile(namespace: string, name: string): void {
    const hpa = this.store.get(HPAS, namespace, name);
    if (!hpa) return;
    const spec = hpa.spec as HpaSpec;
    const target =
      spec.scaleTargetRef.kind === 'Deployment'
        ? this.store.get(DEPLOYMENTS, namespace, spec.scaleTargetRef.name)
        : undefined;
    const previous = (hpa.status ?? {}) as {
      lastScaleTime?: string;
      conditions?: Array<Record<string, unknown>>;
    };
    let status: Record<string, unknown>;
    if (!target) {
      status = {
        currentReplicas: 0,
        desiredReplicas: 0,
        conditions: [
          condition(
            'AbleToScale',
            'False',
            'FailedGetScale',
            `the HPA controller was unable to get the target's current scale: deployments.apps "${spec.scaleTargetRef.name}" not found`,
            previous.conditions,
          ),
        ],
      };
    } else {
      const current = (target.spec as { replicas?: number }).replicas ?? 1;
      const desired = Math.min(spec.maxReplicas, Math.max(spec.minReplicas ?? 1, current));
      let lastScaleTime = previous.lastScaleTime;
      if (desired !== current) {
        this.api.writeScale(
          DEPLOYMENTS,
          namespace,
          target.metadata.name!,
          { type: 'merge', body: { spec: { replicas: desired } } },
          CONTROLLER_MANAGER,
        );
        lastScaleTime = kubeTime();
      }
      status = {
        ...(lastScaleTime ? { lastScaleTime } : {}),
        currentReplicas: current,
        desiredReplicas: desired,
        conditions: [
          condition(
            'AbleToScale',
            'True',
            'ReadyForNewScale',
            'recommended size matches current size',
            previous.conditions,
          ),
        ],
      };
    }
    if (!deepEqual(status, hpa.status)) this.store.update(HPAS, { ...hpa, status });
  }
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous: Array<Record<string, unknown>> | undefined,
) {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : kubeTime();
  return { type, status, lastTransitionTime, reason, message };
}
