import { type ObjectStore } from '@aviary/messaging';
import { DirectoryArtifactResolver } from '../artifacts/artifact-resolver.js';
import { PackageArtifactResolver } from '../artifacts/package-artifact-resolver.js';
import { PushedImageResolver } from '../artifacts/pushed-image-resolver.js';
import { type DeployerConfig, type TargetConfig } from '../config/deployer-config.js';
import { type EnvironmentDefaults } from '../manifests/manifest-input.js';
import { type DeployTarget } from './deploy-target.js';
import { type KubernetesTargetConfig } from './kubernetes-target-factory.js';
import { LocalTarget, type ScrapeTargetGroup } from './local/local-target.js';

export interface ResolvedTarget {
  /** The configuration entry it came from (an environment name or `*`). */
  name: string;
  target: DeployTarget;
  defaults: EnvironmentDefaults;
}

type MakeKubernetesTarget = (config: KubernetesTargetConfig) => DeployTarget;

/** The target of each environment, made on first use from the deployer's configuration. */
export class TargetRegistry {
  private readonly made = new Map<string, ResolvedTarget>();

  /**
   * `artifacts`: where the local provider finds the packages the builder made. `kubernetes`: how a
   * Kubernetes target is made, given when the configuration names one (see {@link TargetRegistry.create}).
   */
  constructor(
    private readonly config: DeployerConfig,
    private readonly artifacts?: ObjectStore,
    private readonly kubernetes?: MakeKubernetesTarget,
  ) {}

  /**
   * A registry that loads the Kubernetes client (about 65 MB of a service's memory) only when the
   * configuration has a Kubernetes target.
   */
  static async create(config: DeployerConfig, artifacts?: ObjectStore): Promise<TargetRegistry> {
    const kubernetes = Object.values(config.targets).some((target) => target.kind === 'kubernetes')
      ? (await import('./kubernetes-target-factory.js')).makeKubernetesTarget
      : undefined;
    return new TargetRegistry(config, artifacts, kubernetes);
  }

  forEnvironment(environment: string): ResolvedTarget {
    const name = environment in this.config.targets ? environment : '*';
    const config = this.config.targets[name];
    if (!config)
      throw new Error(
        `no deploy target for environment "${environment}" (set DEPLOYER_TARGETS, or give "*")`,
      );
    let resolved = this.made.get(name);
    if (!resolved) {
      resolved = { name, target: this.make(config), defaults: defaultsOf(config) };
      this.made.set(name, resolved);
    }
    return resolved;
  }

  private make(config: TargetConfig): DeployTarget {
    if (config.kind === 'local')
      return new LocalTarget({
        resolver: this.artifacts
          ? new PushedImageResolver(
              this.artifacts,
              new PackageArtifactResolver(
                this.artifacts,
                this.config.localRoot,
                new DirectoryArtifactResolver(this.config.localRoot),
              ),
            )
          : new DirectoryArtifactResolver(this.config.localRoot),
        baseEnv: this.config.localBaseEnv,
        host: config.host,
        ...(config.advertiseHost ? { advertiseHost: config.advertiseHost } : {}),
        ports: config.ports,
      });
    if (!this.kubernetes) throw new Error('Kubernetes targets need TargetRegistry.create');
    return this.kubernetes(config);
  }

  /** The processes local targets run, as Prometheus HTTP service discovery lists targets. */
  localScrapeTargets(): ScrapeTargetGroup[] {
    return [...this.made.values()].flatMap(({ target }) =>
      target instanceof LocalTarget ? target.scrapeTargets() : [],
    );
  }

  /** Stops what local targets run (processes, proxies). */
  async close(): Promise<void> {
    const locals = [...this.made.values()].flatMap(({ target }) =>
      target instanceof LocalTarget ? [target] : [],
    );
    await Promise.all(locals.map((target) => target.close()));
  }
}

function defaultsOf(config: TargetConfig): EnvironmentDefaults {
  if (config.kind !== 'kubernetes') return {};
  return {
    ...(config.ingressHost ? { ingressHost: config.ingressHost } : {}),
    ...(config.ingressClassName ? { ingressClassName: config.ingressClassName } : {}),
    ...(config.ingressAnnotations ? { ingressAnnotations: config.ingressAnnotations } : {}),
    ...(config.monitoringNamespace ? { monitoringNamespace: config.monitoringNamespace } : {}),
    ...(config.labels ? { labels: config.labels } : {}),
  };
}
