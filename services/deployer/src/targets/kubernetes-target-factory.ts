import { KubeConfig } from '@kubernetes/client-node';
import { type TargetConfig } from '../config/deployer-config.js';
import { ClientNodeKubeClient } from '../kube/client-node-kube-client.js';
import { type DeployTarget } from './deploy-target.js';
import { KubernetesTarget } from './kubernetes-target.js';

export type KubernetesTargetConfig = Extract<TargetConfig, { kind: 'kubernetes' }>;

/** A cluster target, from the kubeconfig its configuration names (in-cluster, a file, or the default). */
export function makeKubernetesTarget(config: KubernetesTargetConfig): DeployTarget {
  const kubeConfig = new KubeConfig();
  if (config.inCluster) kubeConfig.loadFromCluster();
  else if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault();
  if (config.context) kubeConfig.setCurrentContext(config.context);
  return new KubernetesTarget(new ClientNodeKubeClient(kubeConfig));
}
