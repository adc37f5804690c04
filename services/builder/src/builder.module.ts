import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BusClient } from '@aviary/messaging';
import { registerSecret } from '@aviary/observability';
import { Database, OutboxRelay } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Logger } from 'pino';
import { ReportCollector } from './artifacts/reports.js';
import { type BuilderConfig } from './config/builder-config.js';
import { GitCredentials } from './git/credentials.js';
import { RepositoryCache } from './git/repository-cache.js';
import { BuildImageStage } from './images/build-image.stage.js';
import { RegistryClient } from './images/oci/registry-client.js';
import { LOGS_BUCKET } from './logs/log-chunks.js';
import { LogReader } from './logs/log-reader.js';
import { CheckoutStage } from './stages/checkout.stage.js';
import { QueriesController } from './stages/queries.controller.js';
import { RunStage } from './stages/run.stage.js';
import { StageCommandsController } from './stages/stage-commands.controller.js';
import { StageRunner } from './stages/stage-runner.js';
import { Workspaces } from './stages/workspaces.js';
import { type StepExecutor } from './steps/executor.js';
import { LocalExecutor } from './steps/local-executor.js';
import { StageRuns } from './store/stage-runs.js';

const CONFIG = Symbol('BUILDER_CONFIG');
const HOST_ENV = Symbol('BUILDER_HOST_ENV');
const EXECUTOR = Symbol('STEP_EXECUTOR');

/** What of the builder's own environment a step inherits: tools, locale, proxies and CA certificates; none of the service's settings. */
const INHERITED =
  /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR|SHELL|TERM|NODE_EXTRA_CA_CERTS|(npm|NPM)_config_.+|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/;

export function stepHostEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && INHERITED.test(entry[0]),
    ),
  );
}

/** Removes old workspaces now and then, and hands running attempts back when the builder stops. */
@Injectable()
class BuilderLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(StageRunner) private readonly runner: StageRunner,
    @Inject(Workspaces) private readonly workspaces: Workspaces,
    @Inject(CONFIG) private readonly config: BuilderConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const sweep = () =>
      void this.workspaces.sweep(this.config.workspaceTtlMs).then(
        (removed) => removed > 0 && this.logger.info({ removed }, 'removed old workspaces'),
        (error: unknown) => this.logger.warn({ err: error }, 'workspace sweep failed'),
      );
    this.timer = setInterval(sweep, Math.min(this.config.workspaceTtlMs, 60 * 60 * 1000));
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.runner.handBackAll();
  }
}

@Module({})
export class BuilderModule {
  static forRoot(config: BuilderConfig, env: Record<string, string | undefined>): DynamicModule {
    for (const value of Object.values(config.stepSecrets)) registerSecret(value);
    const hostEnv = stepHostEnvironment(env);
    return {
      module: BuilderModule,
      controllers: [StageCommandsController, QueriesController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: HOST_ENV, useValue: hostEnv },
        { provide: GitCredentials, useFactory: () => new GitCredentials(config.gitCredentials) },
        {
          provide: RepositoryCache,
          inject: [GitCredentials],
          useFactory: (credentials: GitCredentials) =>
            new RepositoryCache(join(config.workDir, 'git'), credentials, hostEnv),
        },
        {
          provide: Workspaces,
          inject: [RepositoryCache],
          useFactory: (repositories: RepositoryCache) =>
            new Workspaces(join(config.workDir, 'workspaces'), repositories),
        },
        { provide: StageRuns, inject: [Database], useFactory: (db: Database) => new StageRuns(db) },
        {
          provide: EXECUTOR,
          // @kubernetes/client-node costs a service about 65 MB when loaded: only the executor that runs
          // step pods loads it.
          useFactory: async (): Promise<StepExecutor> =>
            config.executor === 'kubernetes'
              ? new (await import('./steps/kubernetes-executor.js')).KubernetesExecutor({
                  ...config.kubernetes,
                  workDir: config.workDir,
                })
              : new LocalExecutor({
                  hostEnv,
                  killGraceMs: config.killGraceMs,
                  sideCarStartTimeoutMs: config.sidecarStartTimeoutMs,
                }),
        },
        {
          provide: RegistryClient,
          useFactory: () =>
            new RegistryClient({
              credentials: config.registryCredentials,
              insecure: config.insecureRegistries,
            }),
        },
        {
          provide: StageRunner,
          inject: [Database, StageRuns, BusClient, OutboxRelay, LOGGER],
          useFactory: (db: Database, runs: StageRuns, bus: BusClient, relay: OutboxRelay, logger: Logger) =>
            new StageRunner(db, runs, bus, relay, logger.child({ component: 'stages' }), {
              owner: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
              heartbeatMs: config.heartbeatMs,
              logFlushMs: config.logFlushMs,
              logLinesPerSecond: config.logLinesPerSecond,
              secrets: config.stepSecrets,
            }),
        },
        {
          provide: CheckoutStage,
          inject: [RepositoryCache, Workspaces],
          useFactory: (repositories: RepositoryCache, workspaces: Workspaces) =>
            new CheckoutStage(repositories, workspaces),
        },
        {
          provide: RunStage,
          inject: [EXECUTOR, Workspaces, BusClient],
          useFactory: (executor: StepExecutor, workspaces: Workspaces, bus: BusClient) =>
            new RunStage(executor, workspaces, new ReportCollector(bus), {
              hostEnv,
              secrets: config.stepSecrets,
            }),
        },
        {
          provide: BuildImageStage,
          inject: [RegistryClient, EXECUTOR, Workspaces, BusClient],
          useFactory: (
            client: RegistryClient,
            executor: StepExecutor,
            workspaces: Workspaces,
            bus: BusClient,
          ) =>
            new BuildImageStage(client, executor, workspaces, bus, {
              workDir: config.workDir,
              registry: config.registry,
              baseImage: config.baseImage,
              imageCommand: config.imageCommand,
              localPackages: config.localPackages,
              hostEnv,
              secrets: config.stepSecrets,
            }),
        },
        {
          provide: LogReader,
          inject: [StageRuns, BusClient],
          useFactory: (runs: StageRuns, bus: BusClient) => new LogReader(runs, bus.objects(LOGS_BUCKET)),
        },
        BuilderLifecycle,
      ],
    };
  }
}
