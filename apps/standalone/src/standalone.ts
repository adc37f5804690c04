import { builderService } from '@aviary/builder';
import { canaryService } from '@aviary/canary';
import { deployerService } from '@aviary/deployer';
import { createGatewayService } from '@aviary/gateway';
import { InProcessBroker } from '@aviary/messaging';
import { notifierService } from '@aviary/notifier';
import { createLogger } from '@aviary/observability';
import { orchestratorService } from '@aviary/orchestrator';
import { PGliteHost } from '@aviary/persistence';
import { qualityService } from '@aviary/quality';
import { startService, type RunningService, type ServiceDefinition, type ServiceName } from '@aviary/runtime';
import { type Logger } from 'pino';
import { loadStandaloneConfig, processEnvironment } from './config/standalone-config.js';
import { dataPaths, prepareDataDir } from './data-dir.js';
import { publicUrl, serviceEnvironment } from './service-environment.js';
import { registerServiceRoutes } from './service-routes.js';

export interface StandaloneOptions {
  /** The environment (default: the process's): AVIARY_DATA_DIR, PORT, LOG_LEVEL and every service setting. */
  env?: Record<string, string | undefined>;
  /** Where log lines go; default a logger on standard output per LOG_LEVEL and LOG_FORMAT. */
  logger?: Logger;
}

export interface Standalone {
  /** Where the gateway listens (the UI, the API, webhooks). */
  url: string;
  /** The same, as a person types it (`http://localhost:8080`). */
  publicUrl: string;
  dataDir: string;
  /** The admin token stored in the data directory (undefined when AVIARY_ADMIN_TOKEN was given). */
  adminToken: string | undefined;
  /** True on the start that generated the admin token: the only time it is printed. */
  adminTokenCreated: boolean;
  services: ReadonlyMap<ServiceName, RunningService>;
  close(): Promise<void>;
}

/** The six services behind the gateway, in the order they start (workers before the orchestrator). */
const WORKERS: ServiceDefinition[] = [
  builderService,
  qualityService,
  deployerService,
  canaryService,
  notifierService,
  orchestratorService,
];

/**
 * Aviary in one process: the seven services, each its own Nest application with its own handlers,
 * schema and metrics, on one in-process message broker (journaled in the data directory, so
 * unacknowledged messages survive a restart) and one PGlite (PostgreSQL in WASM, stored in the data
 * directory). Only the gateway opens a port; the others' health and metrics are under
 * `/services/<name>/`. One logger (one pretty-printing worker) for all, each service a child of it.
 */
export async function startStandalone(options: StandaloneOptions = {}): Promise<Standalone> {
  const config = loadStandaloneConfig(options.env ?? processEnvironment());
  const secrets = await prepareDataDir(config.dataDir, config.env['AVIARY_ADMIN_TOKEN']);
  const paths = dataPaths(config.dataDir);
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty });
  const pglite = await PGliteHost.start({ dataDir: paths.pglite });
  const broker = new InProcessBroker({ objectsDir: paths.objects, journalDir: paths.journal });
  const embedded = { broker, pglite };
  const services = new Map<ServiceName, RunningService>();

  const started: RunningService[] = [];
  const close = async () => {
    // The gateway first (no new work comes in), then the others in reverse order of start (the
    // orchestrator before its workers), each draining its handlers.
    const [gateway, ...workers] = started;
    for (const service of [gateway, ...workers.reverse()]) await service?.close().catch(() => undefined);
    await pglite.close();
  };
  try {
    const gatewayEnv = serviceEnvironment(config.env, {
      dataDir: config.dataDir,
      secrets,
      publicUrl: '',
    });
    const gatewayDefinition = createGatewayService();
    const gateway = await startService(
      {
        ...gatewayDefinition,
        configure: async (app, context) => {
          await gatewayDefinition.configure?.(app, context);
          registerServiceRoutes(app, () => services);
        },
      },
      { env: gatewayEnv, embedded, logger: logger.child({ service: 'gateway' }) },
    );
    started.push(gateway);
    services.set('gateway', gateway);
    const shownUrl = publicUrl(gateway.config.host, gateway.config.port);
    const env = serviceEnvironment(config.env, { dataDir: config.dataDir, secrets, publicUrl: shownUrl });
    for (const definition of WORKERS) {
      const service = await startService(definition, {
        env,
        embedded,
        logger: logger.child({ service: definition.name }),
        listen: false,
        // The gateway's /metrics has the process's metrics; the others would repeat the same numbers.
        defaultMetrics: false,
      });
      started.push(service);
      services.set(definition.name, service);
    }
    await Promise.all(started.map((service) => service.database.ready()));
    return {
      url: gateway.url,
      publicUrl: shownUrl,
      dataDir: config.dataDir,
      adminToken: secrets.adminToken,
      adminTokenCreated: secrets.adminTokenCreated,
      services,
      close: (() => {
        let closing: Promise<void> | undefined;
        return () => (closing ??= close());
      })(),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
