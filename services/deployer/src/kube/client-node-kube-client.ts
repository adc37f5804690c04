import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  type V1Deployment,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { type Manifest } from '../manifests/validate.js';
import {
  ApiRefusal,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
  type WatchEvent,
  type WatchHandle,
} from './kube-client.js';

export const FIELD_MANAGER = 'aviary';

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, initialDelayMs: 50, maxDelayMs: 2_000 };

/** The Kubernetes `Status` an ApiException carried, or the HTTP code alone. */
export function statusOf(error: unknown): { code?: number; message: string } {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return { code: error.code, message: typeof message === 'string' ? message : `HTTP ${error.code}` };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** Worth another try: the server was busy or failing (5xx, 429), or the connection broke. */
function transient(error: unknown): boolean {
  if (error instanceof ApiException) return error.code >= 500 || error.code === 429;
  return error instanceof Error && !(error instanceof ApiRefusal);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** KubeClient on @kubernetes/client-node: what a real cluster (or the test server) answers. */
export class ClientNodeKubeClient implements KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;

  constructor(
    config: KubeConfig,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
    this.watcher = new Watch(config);
  }

  /** Runs `call` again after transient failures (every call here is idempotent). */
  private async withRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
    let delay = this.retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= this.retry.attempts || !transient(error)) {
          const status = statusOf(error);
          throw new ApiRefusal(status.code, `${what}: ${status.message}`);
        }
        await sleep(delay);
        delay = Math.min(this.retry.maxDelayMs, delay * 2);
      }
    }
  }

  apply<T extends Manifest>(object: T, options: { dryRun?: boolean } = {}): Promise<T & KubeObject> {
    return this.withRetry(`apply ${describe(object)}`, () =>
      this.objects.patch(
        object as unknown as KubernetesObject,
        undefined,
        options.dryRun ? 'All' : undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      ),
    ) as Promise<T & KubeObject>;
  }

  async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.withRetry(`read ${describe(ref)}`, async () => {
      try {
        return await this.objects.read<KubeObject>(header(ref));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    });
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const answer = await this.withRetry(`list ${kind} in ${namespace}`, () =>
      this.objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    return answer.items as KubeObject[];
  }

  remove(ref: ObjectRef): Promise<boolean> {
    return this.withRetry(`delete ${describe(ref)}`, async () => {
      try {
        await this.objects.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
        return true;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return false;
        throw error;
      }
    });
  }

  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    await this.withRetry(`scale Deployment ${namespace}/${name}`, () =>
      this.apps.replaceNamespacedDeploymentScale({
        name,
        namespace,
        fieldManager: FIELD_MANAGER,
        body: {
          apiVersion: 'autoscaling/v1',
          kind: 'Scale',
          metadata: { name, namespace },
          spec: { replicas },
        },
      }),
    );
  }

  readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    return this.withRetry(`read Deployment ${namespace}/${name}`, async () => {
      try {
        return await this.apps.readNamespacedDeployment({ name, namespace });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    });
  }

  async watchDeployment(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onEvent: (event: WatchEvent<V1Deployment>) => void,
  ): Promise<WatchHandle> {
    let end: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (end = resolve));
    const query: Record<string, string> = { fieldSelector: `metadata.name=${name}` };
    if (resourceVersion) query['resourceVersion'] = resourceVersion;
    const controller = await this.withRetry(`watch Deployment ${namespace}/${name}`, () =>
      this.watcher.watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        query,
        (type, object) =>
          onEvent({ type: type as WatchEvent<V1Deployment>['type'], object: object as V1Deployment }),
        () => end(),
      ),
    );
    return {
      done,
      stop: () => {
        controller.abort();
        end();
      },
    };
  }

  async pods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const answer = await this.withRetry(`list pods ${labelSelector} in ${namespace}`, () =>
      this.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return answer.items;
  }
}

function header(ref: ObjectRef) {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace },
  };
}

function describe(object: Manifest | ObjectRef): string {
  const { namespace, name } = 'metadata' in object ? (object.metadata ?? {}) : (object as ObjectRef);
  return `${object.kind} ${namespace ?? ''}/${name ?? ''}`;
}
