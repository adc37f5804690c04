import jsonPatch from 'fast-json-patch';
import {
  type ArtifactResolver,
  type LocalRun,
  type ResolvedArtifact,
} from '../../artifacts/artifact-resolver.js';
import { MANIFEST_DEFAULTS } from '../../manifests/builders.js';
import { type Track } from '../../manifests/labels.js';
import { type ApplicationInput } from '../../manifests/manifest-input.js';
import { AbortedError, RolloutFailedError } from '../../kube/rollout-tracker.js';
import {
  type AppScope,
  type DeployTarget,
  type HealthWait,
  type ObjectDiff,
  type ProductionState,
  type Routing,
  type Workload,
} from '../deploy-target.js';
import { AppProcess, freeLocalPort } from './app-process.js';
import { type Backend, WeightedProxy } from './weighted-proxy.js';

export interface LocalTargetOptions {
  resolver: ArtifactResolver;
  /** Environment every process starts with (PATH, HOME, ...), under the release's own. */
  baseEnv: Record<string, string>;
  host?: string;
  /** The host name others reach the processes and proxies by (default: `host`). */
  advertiseHost?: string;
  /** Fixed proxy ports by application; others get a free port. */
  ports?: Record<string, number>;
  /** How often a starting process is health-checked (default 20 ms: a probe is one local request). */
  probeIntervalMs?: number;
}

/** One entry of Prometheus HTTP service discovery: `[{targets: ["host:port"], labels: {...}}]`. */
export interface ScrapeTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

interface Spec {
  image: string;
  env: Record<string, string>;
  run: LocalRun | undefined;
  artifact: ResolvedArtifact;
  healthPath: string;
}

/** The processes of one version of a group, as a ReplicaSet is to a Deployment. */
interface Generation {
  revision: number;
  spec: Spec;
  processes: AppProcess[];
}

/** A local "Deployment": one track of one application, its generations, newest last. */
interface Group {
  name: string;
  track: Track;
  replicas: number;
  generations: Generation[];
  revisions: number;
}

interface LocalApp {
  proxy: WeightedProxy;
  port: number;
  routing: Routing;
  groups: Map<string, Group>;
}

const sameSpec = (a: Spec, b: Spec) =>
  a.image === b.image &&
  JSON.stringify(a.env) === JSON.stringify(b.env) &&
  a.artifact.command === b.artifact.command &&
  a.artifact.directory === b.artifact.directory &&
  a.healthPath === b.healthPath;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The local provider, for the embedded default and the demo: an application's start command run as
 * processes (one per replica, each on its own port, with the release's environment), health-checked
 * on /health, behind a weighted reverse proxy so that baseline and canary get their share.
 */
export class LocalTarget implements DeployTarget {
  readonly kind = 'local';
  private readonly apps = new Map<string, LocalApp>();
  /** Processes of replaced generations on their way out, which shutdown still waits for. */
  private readonly stopping = new Set<Promise<void>>();
  private readonly host: string;
  private readonly advertiseHost: string;
  private closed = false;

  constructor(private readonly options: LocalTargetOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.advertiseHost = options.advertiseHost ?? this.host;
  }

  private key(scope: AppScope): string {
    return `${scope.namespace}/${scope.app}`;
  }

  private async appOf(scope: AppScope): Promise<LocalApp> {
    const existing = this.apps.get(this.key(scope));
    if (existing) return existing;
    if (this.closed) throw new Error('the local provider is shut down');
    const app: LocalApp = {
      proxy: new WeightedProxy(() => this.backends(app)),
      port: 0,
      routing: { kind: 'all' },
      groups: new Map(),
    };
    this.apps.set(this.key(scope), app);
    app.port = await app.proxy.listen(this.host, this.options.ports?.[scope.app] ?? 0);
    return app;
  }

  /** The URL of an application's proxy (once anything of it was deployed). */
  endpoint(scope: AppScope): string | undefined {
    const app = this.apps.get(this.key(scope));
    return app ? `http://${this.advertiseHost}:${app.port}` : undefined;
  }

  metricsTargets(scope: AppScope, deployment: string): string[] {
    const newest = this.apps.get(this.key(scope))?.groups.get(deployment)?.generations.at(-1);
    return (newest?.processes ?? []).map((p) => `${p.url}${MANIFEST_DEFAULTS.metricsPath}`);
  }

  /**
   * The newest processes of every group, labelled as the canary's own scraping labels them
   * (`pod=<group>-<n>`, `namespace`), for Prometheus HTTP service discovery.
   */
  scrapeTargets(): ScrapeTargetGroup[] {
    return [...this.apps.entries()].flatMap(([key, app]) => {
      const [namespace = '', application = ''] = key.split('/');
      return [...app.groups.values()].flatMap((group) => {
        const newest = group.generations.at(-1);
        return (newest?.processes ?? [])
          .filter((p) => p.state === 'starting' || p.state === 'ready')
          .map((p, index) => ({
            targets: [`${this.advertiseHost}:${p.spec.port}`],
            labels: {
              namespace,
              pod: `${group.name}-${index}`,
              app: application,
              track: group.track,
              version: newest!.spec.image,
            },
          }));
      });
    });
  }

  /** Every process the provider runs for an application, for the UI and tests. */
  processes(
    scope: AppScope,
  ): Array<{ group: string; track: Track; image: string; pid?: number; port: number; state: string }> {
    const app = this.apps.get(this.key(scope));
    if (!app) return [];
    return [...app.groups.values()].flatMap((group) =>
      group.generations.flatMap((generation) =>
        generation.processes.map((p) => ({
          group: group.name,
          track: group.track,
          image: generation.spec.image,
          ...(p.pid ? { pid: p.pid } : {}),
          port: p.spec.port,
          state: p.state,
        })),
      ),
    );
  }

  private backends(app: LocalApp): Backend[] {
    const routing = app.routing;
    const ready = (group: Group) =>
      group.generations.flatMap((g) => g.processes).filter((p) => p.state === 'ready');
    const groups = [...app.groups.values()];
    if (routing.kind === 'all') return groups.flatMap(ready).map((p) => ({ url: p.url, weight: 1 }));
    if (routing.kind === 'only')
      return (app.groups.get(routing.deployment) ? ready(app.groups.get(routing.deployment)!) : []).map(
        (p) => ({
          url: p.url,
          weight: 1,
        }),
      );
    const analysis = groups.filter((g) => g.track !== 'stable').flatMap(ready);
    const stable = groups.filter((g) => g.track === 'stable').flatMap(ready);
    return [
      ...analysis.map((p) => ({ url: p.url, weight: routing.percent / analysis.length })),
      ...stable.map((p) => ({ url: p.url, weight: (100 - routing.percent) / stable.length })),
    ];
  }

  async production(scope: AppScope): Promise<ProductionState | undefined> {
    const app = this.apps.get(this.key(scope));
    const serving = [...(app?.groups.values() ?? [])]
      .filter((g) => g.track === 'stable' && g.replicas > 0 && g.generations.length > 0)
      .sort(
        (a, b) => b.replicas - a.replicas || Number(b.name === scope.app) - Number(a.name === scope.app),
      )[0];
    const newest = serving?.generations.at(-1);
    if (!serving || !newest) return Promise.resolve(undefined);
    return {
      deployment: serving.name,
      image: newest.spec.image,
      env: newest.spec.env,
      replicas: serving.replicas,
      autoscaled: false,
      ...(newest.spec.run ? { run: newest.spec.run } : {}),
    };
  }

  private async spawn(scope: AppScope, group: Group, spec: Spec): Promise<AppProcess> {
    const port = await freeLocalPort(this.host);
    return new AppProcess({
      command: spec.artifact.command,
      directory: spec.artifact.directory,
      env: {
        ...this.options.baseEnv,
        ...spec.artifact.env,
        ...spec.env,
        AVIARY_APP: scope.app,
        AVIARY_TRACK: group.track,
        AVIARY_VERSION: spec.image,
      },
      host: this.host,
      advertiseHost: this.advertiseHost,
      port,
      healthPath: spec.healthPath,
    });
  }

  /** Starts or stops processes of a generation until it has `replicas`. */
  private async resize(
    scope: AppScope,
    group: Group,
    generation: Generation,
    replicas: number,
  ): Promise<void> {
    const live = generation.processes.filter((p) => p.state === 'starting' || p.state === 'ready');
    for (let i = live.length; i < replicas; i++)
      generation.processes.push(await this.spawn(scope, group, generation.spec));
    const extra = live.slice(replicas);
    generation.processes = generation.processes.filter((p) => !extra.includes(p));
    await Promise.all(extra.map((p) => p.stop()));
  }

  async applyWorkload(workload: Workload): Promise<void> {
    const scope = { app: workload.app, namespace: workload.namespace };
    const app = await this.appOf(scope);
    const spec: Spec = {
      image: workload.image,
      env: Object.fromEntries(Object.entries(workload.env).sort(([a], [b]) => a.localeCompare(b))),
      run: workload.run,
      artifact: await this.options.resolver.resolve(workload.image, workload.run, workload.app),
      healthPath: workload.overrides.probes?.path ?? MANIFEST_DEFAULTS.healthPath,
    };
    let group = app.groups.get(workload.name);
    if (!group) {
      group = { name: workload.name, track: workload.track, replicas: 0, generations: [], revisions: 0 };
      app.groups.set(workload.name, group);
    }
    group.replicas = workload.replicas;
    const index = group.generations.findIndex((g) => sameSpec(g.spec, spec));
    if (index >= 0) {
      // Back to a version it still runs (a rollback, a restore): newer generations go.
      const newer = group.generations.splice(index + 1);
      await Promise.all(newer.flatMap((g) => g.processes.map((p) => p.stop())));
      await this.resize(scope, group, group.generations[index]!, workload.replicas);
      return;
    }
    group.revisions += 1;
    const generation: Generation = { revision: group.revisions, spec, processes: [] };
    group.generations.push(generation);
    await this.resize(scope, group, generation, workload.replicas);
  }

  async applyApplication(app: ApplicationInput, routing: Routing): Promise<void> {
    await this.route(app, routing);
  }

  async route(input: ApplicationInput, routing: Routing): Promise<void> {
    const app = await this.appOf({ app: input.app, namespace: input.namespace });
    app.routing = routing;
  }

  /**
   * Waits until every process of the newest generation answers its health check, then stops the
   * older generations: the rollout is done once they are told to stop, as a Deployment's is once its
   * old pods are terminating. Fails with what the processes said.
   */
  async awaitHealthy(scope: AppScope, deployment: string, wait: HealthWait): Promise<void> {
    const group = this.apps.get(this.key(scope))?.groups.get(deployment);
    const newest = group?.generations.at(-1);
    if (!group || !newest) throw new RolloutFailedError(`${deployment} is not deployed`);
    const interval = this.options.probeIntervalMs ?? 20;
    let said: string | undefined;
    for (;;) {
      if (wait.signal?.aborted) throw new AbortedError(String(wait.signal.reason ?? 'aborted'));
      const dead = newest.processes.find((p) => p.state === 'exited');
      if (dead)
        throw new RolloutFailedError(
          `rollout of ${deployment} failed: process exited with code ${dead.exitCode}${dead.tail() ? `: ${dead.tail()}` : ''}`,
        );
      const results = await Promise.all(newest.processes.map((p) => p.probe()));
      if (results.every(Boolean)) break;
      if (Date.now() >= wait.deadlineAt) {
        const unready = newest.processes.find((p) => p.state !== 'ready');
        throw new RolloutFailedError(
          `rollout of ${deployment} failed: readiness failing: ${unready?.lastHealth ?? 'not ready'}`,
        );
      }
      const progress = `${results.filter(Boolean).length} of ${results.length} processes healthy`;
      if (progress !== said) wait.onProgress?.(progress);
      said = progress;
      await sleep(interval);
    }
    const older = group.generations.splice(0, group.generations.length - 1);
    for (const replaced of older.flatMap((g) => g.processes)) {
      const stopped = replaced.stop().finally(() => this.stopping.delete(stopped));
      this.stopping.add(stopped);
    }
  }

  async scale(scope: AppScope, deployment: string, replicas: number): Promise<void> {
    const group = this.apps.get(this.key(scope))?.groups.get(deployment);
    const newest = group?.generations.at(-1);
    if (!group || !newest) return;
    group.replicas = replicas;
    await this.resize(scope, group, newest, replicas);
  }

  async remove(scope: AppScope, deployment: string): Promise<void> {
    const app = this.apps.get(this.key(scope));
    const group = app?.groups.get(deployment);
    if (!app || !group) return;
    app.groups.delete(deployment);
    await Promise.all(group.generations.flatMap((g) => g.processes.map((p) => p.stop())));
  }

  exists(scope: AppScope, deployment: string): Promise<boolean> {
    return Promise.resolve(this.apps.get(this.key(scope))?.groups.has(deployment) ?? false);
  }

  revision(scope: AppScope, deployment: string): Promise<string> {
    const group = this.apps.get(this.key(scope))?.groups.get(deployment);
    return Promise.resolve(String(group?.generations.at(-1)?.revision ?? 0));
  }

  dryRun(_app: ApplicationInput, workload: Workload): Promise<ObjectDiff[]> {
    const group = this.apps.get(this.key(workload))?.groups.get(workload.name);
    const newest = group?.generations.at(-1);
    const describe = (image: string, env: Record<string, string>, replicas: number, run?: LocalRun) => ({
      image,
      env,
      replicas,
      ...(run ? { run } : {}),
    });
    const next = describe(workload.image, workload.env, workload.replicas, workload.run);
    const label = `processes ${workload.namespace}/${workload.name}`;
    if (!group || !newest) return Promise.resolve([{ object: label, action: 'create', changes: [] }]);
    const before = describe(newest.spec.image, newest.spec.env, group.replicas, newest.spec.run);
    const changes = jsonPatch.compare(before, next).map((op) => ({
      op: op.op,
      path: op.path,
      ...(op.op === 'add' ? {} : { from: jsonPatch.getValueByPointer(before, op.path) as unknown }),
      ...('value' in op ? { to: op.value as unknown } : {}),
    }));
    return Promise.resolve([{ object: label, action: changes.length ? 'update' : 'unchanged', changes }]);
  }

  /** Stops every process and proxy (shutdown): nothing is left running. */
  async close(): Promise<void> {
    this.closed = true;
    const apps = [...this.apps.values()];
    this.apps.clear();
    await Promise.all([
      ...this.stopping,
      ...apps.map(async (app) => {
        await app.proxy.close();
        await Promise.all(
          [...app.groups.values()].flatMap((g) =>
            g.generations.flatMap((gen) => gen.processes.map((p) => p.stop())),
          ),
        );
      }),
    ]);
  }
}
