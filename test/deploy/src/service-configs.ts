import { BuilderEnvironment, loadBuilderConfig } from '@aviary/builder';
import { CanaryEnvironment, loadCanaryConfig } from '@aviary/canary';
import { DeployerEnvironment, loadDeployerConfig } from '@aviary/deployer';
import { GatewayEnvironment, loadGatewayConfig } from '@aviary/gateway';
import { NotifierEnvironment, loadNotifierConfig } from '@aviary/notifier';
import { OrchestratorEnvironment, loadOrchestratorConfig } from '@aviary/orchestrator';
import { QualityEnvironment, loadQualityConfig } from '@aviary/quality';
import { loadServiceConfig, SERVICE_NAMES, ServiceEnvironment, type ServiceName } from '@aviary/runtime';

type Env = Record<string, string | undefined>;

/** Each service's own settings: the zod schema of its environment and the loader it starts with. */
export const SERVICE_CONFIGS: Record<ServiceName, { variables: string[]; load(env: Env): unknown }> = {
  gateway: { variables: Object.keys(GatewayEnvironment.shape), load: loadGatewayConfig },
  orchestrator: { variables: Object.keys(OrchestratorEnvironment.shape), load: loadOrchestratorConfig },
  builder: { variables: Object.keys(BuilderEnvironment.shape), load: loadBuilderConfig },
  quality: { variables: Object.keys(QualityEnvironment.shape), load: loadQualityConfig },
  deployer: { variables: Object.keys(DeployerEnvironment.shape), load: loadDeployerConfig },
  canary: { variables: Object.keys(CanaryEnvironment.shape), load: loadCanaryConfig },
  notifier: { variables: Object.keys(NotifierEnvironment.shape), load: loadNotifierConfig },
};

/** What every service reads (libs/runtime), beside `<SERVICE>_PORT`. */
export const COMMON_VARIABLES = [...Object.keys(ServiceEnvironment.shape), '<SERVICE>_PORT'];

/**
 * Variables read by name pattern rather than through a schema key: the notifier's named channel
 * credentials (services/notifier/src/config/notifier-config.ts, namedCredentials).
 */
export const PATTERN_VARIABLES: Record<string, ServiceName> = {
  NOTIFIER_SLACK_WEBHOOK_NAME: 'notifier',
  NOTIFIER_WEBHOOK_NAME_URL: 'notifier',
  NOTIFIER_WEBHOOK_NAME_SECRET: 'notifier',
};

/**
 * Starts nothing: checks an environment the way a service does at start (the settings every service
 * reads, then its own). Throws the service's own message for a missing or bad variable.
 */
export function checkServiceEnvironment(service: ServiceName, env: Env): void {
  loadServiceConfig(service, env, false);
  SERVICE_CONFIGS[service].load(env);
}

export { SERVICE_NAMES, type ServiceName };
