import { KubeConfig } from '@kubernetes/client-node';
import { type KubeApiServer, type KubeApiServerOptions, startKubeApiServer } from '@aviary/kube-apiserver';
import { ClientNodeKubeClient } from '../kube/client-node-kube-client.js';
import { KubernetesTarget } from '../targets/kubernetes-target.js';

/** The Kubernetes API test server with the namespaces a release uses, and the deployer's client on it. */
export async function startCluster(options: KubeApiServerOptions = {}) {
  const server: KubeApiServer = await startKubeApiServer({
    podReadyDelayMs: 20,
    crashLoopRestartIntervalMs: 50,
    namespaces: ['production', 'homolog', 'monitoring'],
    ...options,
  });
  const config = new KubeConfig();
  config.loadFromString(server.kubeconfig);
  const kube = new ClientNodeKubeClient(config, { attempts: 8, initialDelayMs: 10, maxDelayMs: 200 });
  return { server, kube, target: new KubernetesTarget(kube) };
}
