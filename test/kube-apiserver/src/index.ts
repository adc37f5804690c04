export { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './kube-apiserver.js';
export type { PodBehaviourKind, PodBehaviourRule } from './controller/pod-behaviour.js';
export type { Faults, RequestMatcher } from './faults/faults.js';
export type { PodLogContext, PodLogGenerator } from './logs/pod-logs.js';
export type { KubeObject } from './resources/kube-object.js';
export { kubeconfigFor } from './kubeconfig.js';
export { manifestProblems } from './validation/validate-manifest.js';
export {
  binaryRunner,
  helmBinary,
  kubectlBinary,
  kubectlRunner,
  layerBinary,
  type KubectlResult,
  type LayerBinary,
} from './binaries/layer-binaries.js';
