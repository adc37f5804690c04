import { type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { type Manifest } from '../manifests/validate.js';

/** An object as the API server answers it. */
export interface KubeObject extends Manifest {
  metadata?: Manifest['metadata'] & {
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** An open watch: `done` settles when the server or the network ends it; `stop()` ends it here. */
export interface WatchHandle {
  done: Promise<void>;
  stop(): void;
}

/**
 * Everything the deployer asks of a Kubernetes cluster. The logic above it (strategies, rollout
 * tracking) is plain code over this interface; the client-node implementation is tested against the
 * Kubernetes API test server.
 */
export interface KubeClient {
  /** Server-side apply, field manager `aviary`, taking fields from other managers (force). */
  apply<T extends Manifest>(object: T, options?: { dryRun?: boolean }): Promise<T & KubeObject>;
  read(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Deletes with background propagation; false when it was not there. */
  remove(ref: ObjectRef): Promise<boolean>;
  /** Sets a Deployment's replicas through its scale subresource (the HPA's way). */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;
  readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined>;
  /** Watches one Deployment from `resourceVersion`. */
  watchDeployment(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onEvent: (event: WatchEvent<V1Deployment>) => void,
  ): Promise<WatchHandle>;
  pods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
}

/** A 4xx answer other than 404/429: the request itself is wrong, retrying will not help. */
export class ApiRefusal extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRefusal';
  }
}
