import { type LocalRun } from '../artifacts/artifact-resolver.js';
import { type ApplicationInput, type WorkloadInput } from '../manifests/manifest-input.js';

/** One application in one namespace (Kubernetes) or one environment (local). */
export interface AppScope {
  app: string;
  namespace: string;
}

/** What runs in production now: the Deployment serving the app's stable track. */
export interface ProductionState {
  deployment: string;
  image: string;
  env: Record<string, string>;
  replicas: number;
  /** An autoscaler manages its replicas: a release never sets fewer than it has. */
  autoscaled: boolean;
  /** How the local provider runs it (only local targets know). */
  run?: LocalRun;
}

/**
 * Where production traffic goes:
 * - `all`: every pod of the app, so baseline and canary get their replica share;
 * - `only`: one Deployment's pods (blue-green, before and at the switch);
 * - `weighted`: baseline and canary together get `percent` % (NGINX canary Ingress weight).
 */
export type Routing =
  | { kind: 'all' }
  | { kind: 'only'; deployment: string; image: string }
  | { kind: 'weighted'; percent: number };

export interface HealthWait {
  deadlineAt: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** One object a deploy would change, as a server-side dry-run answers. */
export interface ObjectDiff {
  object: string;
  action: 'create' | 'update' | 'unchanged';
  changes: Array<{ op: string; path: string; from?: unknown; to?: unknown }>;
}

export type Workload = WorkloadInput & { run?: LocalRun };

/**
 * What strategies need from a place to deploy to. Kubernetes and the local provider implement it; the
 * strategies and the release state machine above it are the same for both.
 */
export interface DeployTarget {
  readonly kind: 'kubernetes' | 'local';
  production(scope: AppScope): Promise<ProductionState | undefined>;
  /** Creates or updates one Deployment (or, locally, one group of processes). */
  applyWorkload(workload: Workload): Promise<void>;
  /** The objects around the Deployments (Service, HPA, Ingress, ServiceMonitor; locally the proxy). */
  applyApplication(app: ApplicationInput, routing: Routing, productionDeployment: string): Promise<void>;
  route(app: ApplicationInput, routing: Routing): Promise<void>;
  awaitHealthy(scope: AppScope, deployment: string, wait: HealthWait): Promise<void>;
  scale(scope: AppScope, deployment: string, replicas: number): Promise<void>;
  remove(scope: AppScope, deployment: string): Promise<void>;
  exists(scope: AppScope, deployment: string): Promise<boolean>;
  /** The Deployment's revision (Kubernetes' rollout revision; locally a counter). */
  revision(scope: AppScope, deployment: string): Promise<string>;
  /** Where the application answers, if the target knows (the local provider's proxy). */
  endpoint(scope: AppScope): string | undefined;
  /**
   * The /metrics URLs of a Deployment's instances, where the target can reach them (the local
   * provider's processes; none on Kubernetes, where Prometheus finds the pods): the canary service
   * scrapes them when it has no Prometheus.
   */
  metricsTargets(scope: AppScope, deployment: string): string[];
  /** What applying these would change, changing nothing. */
  dryRun(app: ApplicationInput, workload: Workload, routing: Routing): Promise<ObjectDiff[]>;
}
