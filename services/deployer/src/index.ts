export { deployerService } from './service.js';
export { DeployerModule } from './deployer.module.js';
export { ClientNodeKubeClient } from './kube/client-node-kube-client.js';
export { KubernetesTarget } from './targets/kubernetes-target.js';
export { LocalTarget } from './targets/local/local-target.js';
export { ReleaseRunner, type ReleaseJournal } from './release/release-runner.js';
export { type Release } from './release/release.js';
export { DeployerEnvironment, loadDeployerConfig } from './config/deployer-config.js';
