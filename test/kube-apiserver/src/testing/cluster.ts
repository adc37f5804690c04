import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import type { KubeApiServer } from '../kube-apiserver.js';

/** What an apply answers: the stored object (typed metadata, the rest left to the test to look into). */
export type AppliedObject = KubernetesObject & { spec?: unknown; status?: unknown };

/** client-node pointed at the test server, as the deployer will be. */
export function connect(server: KubeApiServer) {
  const config = new KubeConfig();
  config.loadFromString(server.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(config);
  return {
    config,
    objects,
    apps: config.makeApiClient(AppsV1Api),
    core: config.makeApiClient(CoreV1Api),
    watch: new Watch(config),
    /** Server-side apply as the deployer does it (field manager `aviary` unless told otherwise). */
    apply: (object: object, options: { manager?: string; force?: boolean; dryRun?: boolean } = {}) =>
      objects.patch<AppliedObject>(
        object,
        undefined,
        options.dryRun ? 'All' : undefined,
        options.manager ?? 'aviary',
        options.force,
        PatchStrategy.ServerSideApply,
      ),
  };
}

export interface StatusBody {
  kind: string;
  status: string;
  reason: string;
  message: string;
  code: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: Array<{ reason: string; message: string; field?: string }>;
  };
}

/** The Kubernetes Status a failed client-node call carried. */
export async function failure(call: Promise<unknown>): Promise<StatusBody> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = error.body;
    return (typeof body === 'string' ? JSON.parse(body) : body) as StatusBody;
  }
  throw new Error('the call succeeded');
}

export interface WatchEvent<T = KubernetesObject> {
  type: string;
  object: T;
}

/** A watch that records its events; `ended` resolves when the server closes it. */
export async function startWatch<T = KubernetesObject>(
  watch: Watch,
  path: string,
  query: Record<string, string> = {},
) {
  const events: Array<WatchEvent<T>> = [];
  let end: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (end = resolve));
  const controller = await watch.watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as T }),
    (error) => end(error),
  );
  return { events, ended, stop: () => controller.abort() };
}

const labels = (app: string, track: string) => ({ app, 'aviary.dev/track': track });

/** A Deployment as the deployer builds it. */
export function deployment(
  namespace: string,
  name: string,
  image: string,
  options: {
    replicas?: number;
    track?: string;
    app?: string;
    env?: Record<string, string>;
    progressDeadlineSeconds?: number;
  } = {},
) {
  const app = options.app ?? name;
  const track = options.track ?? 'stable';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: labels(app, track) },
    spec: {
      replicas: options.replicas ?? 2,
      ...(options.progressDeadlineSeconds
        ? { progressDeadlineSeconds: options.progressDeadlineSeconds }
        : {}),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: labels(app, track) },
      template: {
        metadata: { labels: labels(app, track) },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              ports: [{ name: 'http', containerPort: 3000 }],
              env: Object.entries(options.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
              readinessProbe: { httpGet: { path: '/health', port: 'http' } },
            },
          ],
        },
      },
    },
  };
}

export function service(namespace: string, app: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace, labels: { app } },
    spec: { type: 'ClusterIP', selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}
