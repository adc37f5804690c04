import type { AddressInfo } from 'node:net';
import { ObjectApi } from './api/object-api.js';
import { ControllerManager } from './controller/controller-manager.js';
import { type PodBehaviourRule, PodBehaviours } from './controller/pod-behaviour.js';
import { Faults } from './faults/faults.js';
import { createHttpServer } from './http/http-server.js';
import { kubeconfigFor } from './kubeconfig.js';
import { type PodLogGenerator, defaultPodLogs } from './logs/pod-logs.js';
import { NAMESPACES, resourceByName } from './resources/catalog.js';
import type { KubeObject } from './resources/kube-object.js';
import { ObjectStore } from './store/object-store.js';

export interface KubeApiServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** How long a pod's containers run before they report ready (default 100 ms; 0 is ready at once). */
  podReadyDelayMs?: number;
  /** Pods with a container image matching this stay in ImagePullBackOff. */
  failingImages?: RegExp;
  /** Pods with a container image matching this crash: CrashLoopBackOff, restartCount growing. */
  crashingImages?: RegExp;
  /** Pods with a container image matching this run but never pass their readiness check. */
  unreadyImages?: RegExp;
  /** How often a crash-looping container restarts (default 1000 ms). */
  crashLoopRestartIntervalMs?: number;
  /** The n-th log line of a container (default `<pod>/<container>: log line <n>`). */
  podLogs?: PodLogGenerator;
  /** Lines a container has written when it starts (default 3), then one more every `podLogIntervalMs` (default 200). */
  podLogInitialLines?: number;
  podLogIntervalMs?: number;
  /** Namespaces that exist from the start, besides default, kube-system and kube-public. */
  namespaces?: string[];
  /** Watch events kept for resuming by resourceVersion (default 10,000); older ones answer 410 Gone. */
  watchHistorySize?: number;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Kubeconfig YAML pointing at the server (context `aviary-test`, namespace `default`). */
  kubeconfig: string;
  /** Stored objects of a kind (`Deployment`, `deployments` or `deploy`), in one namespace or all. */
  objects(kind: string, namespace?: string): KubeObject[];
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  faults: Faults;
  /** Pods created from now on that match the rule behave as it says (newest rule first). */
  setPodBehaviour(rule: PodBehaviourRule): void;
  /** Forgets the watch history, so resuming from any earlier resourceVersion answers 410 Gone. */
  compactWatchHistory(): void;
  /** The current (global) resourceVersion. */
  resourceVersion(): string;
  close(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new ObjectStore(options.watchHistorySize ?? 10_000);
  const api = new ObjectApi(store);
  const faults = new Faults();
  const behaviours = new PodBehaviours({
    podReadyDelayMs: options.podReadyDelayMs ?? 100,
    failingImages: options.failingImages,
    crashingImages: options.crashingImages,
    unreadyImages: options.unreadyImages,
  });
  const controllers = new ControllerManager(
    store,
    api,
    behaviours,
    options.crashLoopRestartIntervalMs ?? 1000,
  );
  controllers.start();
  const system = { dryRun: false, fieldManager: 'kube-apiserver', fieldManagerGiven: true };
  for (const name of new Set(['default', 'kube-system', 'kube-public', ...(options.namespaces ?? [])])) {
    api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, system);
  }

  const server = createHttpServer({
    api,
    store,
    faults,
    logs: {
      generator: options.podLogs ?? defaultPodLogs,
      initialLines: options.podLogInitialLines ?? 3,
      intervalMs: options.podLogIntervalMs ?? 200,
      scripted: (pod) => behaviours.scriptedLogs(pod),
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  return {
    url,
    port,
    kubeconfig: kubeconfigFor(url),
    objects: (kind, namespace) => store.list(resourceByName(kind), namespace),
    get: (kind, namespace, name) => store.get(resourceByName(kind), namespace, name),
    faults,
    setPodBehaviour: (rule) => behaviours.add(rule),
    compactWatchHistory: () => store.hub.compact(store.resourceVersion()),
    resourceVersion: () => String(store.resourceVersion()),
    close: async () => {
      controllers.stop();
      faults.dropWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
