import { type V1Deployment } from '@kubernetes/client-node';
import jsonPatch from 'fast-json-patch';
import {
  autoscalingEnabled,
  buildDeployment,
  buildHpa,
  buildIngress,
  buildService,
  buildServiceMonitor,
} from '../manifests/builders.js';
import {
  LABEL_ANALYSIS,
  LABEL_APP,
  LABEL_TRACK,
  LABEL_VERSION,
  trackName,
  versionOf,
} from '../manifests/labels.js';
import { type ApplicationInput } from '../manifests/manifest-input.js';
import { type Manifest, validateManifest } from '../manifests/validate.js';
import { type KubeClient, type KubeObject } from '../kube/kube-client.js';
import { awaitRollout } from '../kube/rollout-tracker.js';
import {
  type AppScope,
  type DeployTarget,
  type HealthWait,
  type ObjectDiff,
  type ProductionState,
  type Routing,
  type Workload,
} from './deploy-target.js';

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;
const INGRESS = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as const;
const HPA = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as const;
const REVISION = 'deployment.kubernetes.io/revision';

function containerOf(deployment: V1Deployment) {
  return deployment.spec?.template.spec?.containers[0];
}

/** The production Service's selector for a routing. */
export function productionSelector(app: string, routing: Routing): Record<string, string> {
  switch (routing.kind) {
    case 'all':
      return { [LABEL_APP]: app };
    case 'only':
      return { [LABEL_APP]: app, [LABEL_TRACK]: 'stable', [LABEL_VERSION]: versionOf(routing.image) };
    case 'weighted':
      return { [LABEL_APP]: app, [LABEL_TRACK]: 'stable' };
  }
}

/** Releases on a Kubernetes cluster: the five objects by server-side apply, rollouts followed by watch. */
export class KubernetesTarget implements DeployTarget {
  readonly kind = 'kubernetes';

  constructor(private readonly kube: KubeClient) {}

  private async applyAll(objects: Manifest[]): Promise<void> {
    for (const object of objects) validateManifest(object);
    await Promise.all(objects.map((object) => this.kube.apply(object)));
  }

  async production(scope: AppScope): Promise<ProductionState | undefined> {
    const [stable, hpa] = await Promise.all([
      this.kube.list(
        DEPLOYMENT.apiVersion,
        DEPLOYMENT.kind,
        scope.namespace,
        `${LABEL_APP}=${scope.app},${LABEL_TRACK}=stable`,
      ),
      this.kube.read({ ...HPA, namespace: scope.namespace, name: scope.app }),
    ]);
    const serving = (stable as V1Deployment[])
      .filter((d) => (d.spec?.replicas ?? 1) > 0)
      .sort(
        (a, b) =>
          (b.spec?.replicas ?? 1) - (a.spec?.replicas ?? 1) ||
          Number(b.metadata?.name === scope.app) - Number(a.metadata?.name === scope.app),
      )[0];
    if (!serving) return undefined;
    const container = containerOf(serving);
    const name = serving.metadata!.name!;
    const scaleTarget = (hpa?.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef;
    return {
      deployment: name,
      image: container?.image ?? '',
      env: Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? ''])),
      replicas: serving.spec?.replicas ?? 1,
      autoscaled: scaleTarget?.name === name,
    };
  }

  async applyWorkload(workload: Workload): Promise<void> {
    await this.applyAll([buildDeployment(workload)]);
  }

  private applicationObjects(
    app: ApplicationInput,
    routing: Routing,
    productionDeployment: string,
  ): Manifest[] {
    const objects: Manifest[] = [buildService(app, { selector: productionSelector(app.app, routing) })];
    if (autoscalingEnabled(app)) objects.push(buildHpa(app, productionDeployment));
    if (app.overrides.ingress?.enabled ?? true) objects.push(buildIngress(app));
    if (app.overrides.serviceMonitor?.enabled ?? true) objects.push(buildServiceMonitor(app));
    return [...objects, ...this.canaryObjects(app, routing)];
  }

  /** With weighted routing: a Service for baseline and canary and the NGINX canary Ingress to it. */
  private canaryObjects(app: ApplicationInput, routing: Routing): Manifest[] {
    if (routing.kind !== 'weighted') return [];
    const name = trackName(app.app, 'canary');
    return [
      buildService(app, { name, selector: { [LABEL_APP]: app.app, [LABEL_ANALYSIS]: 'true' } }),
      buildIngress(app, { name, service: name, weight: routing.percent }),
    ];
  }

  async applyApplication(
    app: ApplicationInput,
    routing: Routing,
    productionDeployment: string,
  ): Promise<void> {
    // A canary's own Service and Ingress go with its cleanup (route), not here.
    await this.applyAll(this.applicationObjects(app, routing, productionDeployment));
  }

  async route(app: ApplicationInput, routing: Routing): Promise<void> {
    await this.applyAll([
      buildService(app, { selector: productionSelector(app.app, routing) }),
      ...this.canaryObjects(app, routing),
    ]);
    if (routing.kind !== 'weighted') await this.removeCanaryRouting(app);
  }

  private async removeCanaryRouting(app: ApplicationInput): Promise<void> {
    const name = trackName(app.app, 'canary');
    await this.kube.remove({ ...INGRESS, namespace: app.namespace, name });
    await this.kube.remove({ ...SERVICE, namespace: app.namespace, name });
  }

  awaitHealthy(scope: AppScope, deployment: string, wait: HealthWait): Promise<void> {
    return awaitRollout(this.kube, { namespace: scope.namespace, name: deployment, ...wait });
  }

  scale(scope: AppScope, deployment: string, replicas: number): Promise<void> {
    return this.kube.scaleDeployment(scope.namespace, deployment, replicas);
  }

  async remove(scope: AppScope, deployment: string): Promise<void> {
    await this.kube.remove({ ...DEPLOYMENT, namespace: scope.namespace, name: deployment });
  }

  async exists(scope: AppScope, deployment: string): Promise<boolean> {
    return (await this.kube.readDeployment(scope.namespace, deployment)) !== undefined;
  }

  async revision(scope: AppScope, deployment: string): Promise<string> {
    const live = await this.kube.readDeployment(scope.namespace, deployment);
    return live?.metadata?.annotations?.[REVISION] ?? '0';
  }

  /** Behind the Ingress: the cluster's address is not the deployer's to know. */
  metricsTargets(): string[] {
    return [];
  }

  endpoint(): undefined {
    return undefined;
  }

  async dryRun(app: ApplicationInput, workload: Workload, routing: Routing): Promise<ObjectDiff[]> {
    const objects = [
      buildDeployment(workload) as Manifest,
      ...this.applicationObjects(app, routing, workload.name),
    ];
    for (const object of objects) validateManifest(object);
    return Promise.all(
      objects.map(async (object) => {
        const ref = {
          apiVersion: object.apiVersion,
          kind: object.kind,
          namespace: object.metadata?.namespace ?? app.namespace,
          name: object.metadata?.name ?? '',
        };
        const [live, answer] = await Promise.all([
          this.kube.read(ref),
          this.kube.apply(object, { dryRun: true }),
        ]);
        return diffOf(`${ref.kind} ${ref.namespace}/${ref.name}`, live, answer);
      }),
    );
  }
}

/** The fields a person compares: metadata the server keeps for itself and status are left out. */
function comparable(object: KubeObject | undefined): Record<string, unknown> {
  if (!object) return {};
  const { status: _status, metadata, ...rest } = object as KubeObject & Record<string, unknown>;
  const {
    managedFields: _managed,
    resourceVersion: _rv,
    generation: _generation,
    uid: _uid,
    creationTimestamp: _created,
    ...meta
  } = (metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata: meta };
}

export function diffOf(label: string, live: KubeObject | undefined, next: KubeObject): ObjectDiff {
  const before = comparable(live);
  const after = comparable(next);
  const ops = jsonPatch.compare(before, after);
  const changes = ops.map((op) => {
    const from: unknown = op.op === 'add' ? undefined : jsonPatch.getValueByPointer(before, op.path);
    return {
      op: op.op,
      path: op.path,
      ...(from === undefined ? {} : { from }),
      ...('value' in op ? { to: op.value as unknown } : {}),
    };
  });
  return {
    object: label,
    action: live ? (changes.length ? 'update' : 'unchanged') : 'create',
    changes: live ? changes : [],
  };
}
