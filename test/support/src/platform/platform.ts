import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteStreams, freePort, natsUrlForTests, uniqueBusNames } from '../nats.js';
import { databaseUrlForTests, dropSchema, uniqueSchemaName } from '../postgres.js';
import { queryDatabase, readEvents, type RecordedEvent } from './platform-records.js';
import { ServiceProcess } from './service-process.js';

/** The seven services, in the order they are started (the gateway last: it answers the user). */
export const PLATFORM_SERVICES = [
  'orchestrator',
  'builder',
  'quality',
  'deployer',
  'canary',
  'notifier',
  'gateway',
] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * What a service takes from the test's environment, as from its host: locale, the CA certificates and
 * proxies that reach the network (the builder's `npm ci` steps fetch packages), npm settings.
 */
const INHERITED =
  /^(LANG|LC_[A-Z]+|TZ|TMPDIR|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR)|(npm|NPM)_config_.+|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/;

function inherited(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => INHERITED.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

export interface PlatformOptions {
  /** Replicas per service (default 1 each). */
  replicas?: Partial<Record<PlatformService, number>>;
  /** Variables of every service (over the platform's own). */
  env?: Record<string, string>;
  /** Variables of one service (over `env`). */
  serviceEnv?: Partial<Record<PlatformService, Record<string, string>>>;
  /** `LOG_LEVEL` of every service (default `info`). */
  logLevel?: string;
  /**
   * The port of a service's first replica (default: a free one), for what must know it before the
   * platform starts (a Prometheus discovering the deployer's local targets).
   */
  ports?: Partial<Record<PlatformService, number>>;
  /** How long a service has to become ready (default 90 s: seven Node.js processes on two cores). */
  readyTimeoutMs?: number;
}

/**
 * Aviary in the distributed mode, as a platform team runs it: every service its own process
 * (`node services/<name>/dist/main.js`, built by `npm test`), as many replicas of each as asked, on
 * the test NATS (JetStream) and PostgreSQL, under names no other test shares (subjects, streams,
 * schemas). The gateway has a known admin token. `stop()` stops everything and removes the streams
 * and schemas.
 */
export class Platform {
  readonly adminToken = `e2e-admin-${randomBytes(18).toString('hex')}`;
  readonly processes: ServiceProcess[] = [];

  private constructor(
    readonly natsUrl: string,
    readonly databaseUrl: string,
    readonly names: { subjectRoot: string; streamPrefix: string },
    readonly schemaPrefix: string,
  ) {}

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    for (const service of PLATFORM_SERVICES) {
      const main = join(root, 'services', service, 'dist', 'main.js');
      if (!existsSync(main))
        throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
    }
    const platform = new Platform(
      await natsUrlForTests(),
      await databaseUrlForTests(),
      uniqueBusNames(),
      `${uniqueSchemaName('p')}_`,
    );
    try {
      for (const service of PLATFORM_SERVICES) {
        const replicas = options.replicas?.[service] ?? 1;
        for (let replica = 0; replica < replicas; replica++) {
          const fixed = replica === 0 ? options.ports?.[service] : undefined;
          const port = fixed ?? (await freePort());
          const env: Record<string, string> = {
            ...inherited(),
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            HOME: process.env['HOME'] ?? '/tmp',
            NATS_URL: platform.natsUrl,
            DATABASE_URL: platform.databaseUrl,
            AVIARY_SUBJECT_ROOT: platform.names.subjectRoot,
            AVIARY_STREAM_PREFIX: platform.names.streamPrefix,
            AVIARY_SCHEMA_PREFIX: platform.schemaPrefix,
            AVIARY_ENV: 'test',
            AVIARY_ADMIN_TOKEN: platform.adminToken,
            LOG_FORMAT: 'json',
            LOG_LEVEL: options.logLevel ?? 'info',
            ...options.env,
            ...options.serviceEnv?.[service],
            [`${service.toUpperCase()}_PORT`]: String(port),
          };
          const process_ = new ServiceProcess(
            service,
            replica,
            port,
            join(root, 'services', service, 'dist', 'main.js'),
            env,
          );
          platform.processes.push(process_);
        }
      }
      // The first replica of each service runs the migrations alone; the others then start together.
      const first = platform.processes.filter((p) => p.replica === 0);
      for (const p of first) p.start();
      await Promise.all(first.map((p) => p.ready(options.readyTimeoutMs ?? 90_000)));
      const others = platform.processes.filter((p) => p.replica > 0);
      for (const p of others) p.start();
      await Promise.all(others.map((p) => p.ready(options.readyTimeoutMs ?? 90_000)));
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  /** The replicas of one service. */
  replicasOf(service: PlatformService): ServiceProcess[] {
    return this.processes.filter((p) => p.service === service);
  }

  get gatewayUrl(): string {
    return this.replicasOf('gateway')[0]!.url;
  }

  /** The PostgreSQL schema of a service. */
  schemaOf(service: PlatformService): string {
    return `${this.schemaPrefix}${service}`;
  }

  /** A subject of this platform (`aviary.` replaced by its subject root). */
  subject(subject: string): string {
    return subject.replace(/^aviary\./, `${this.names.subjectRoot}.`);
  }

  /**
   * Every event the platform published under `subject` (`aviary.evt.deployer.>`; `aviary.` is
   * replaced by its root), oldest first, from its events stream.
   */
  events(subject = 'aviary.evt.>'): Promise<RecordedEvent[]> {
    return readEvents(this.natsUrl, `${this.names.streamPrefix}_EVT`, this.subject(subject));
  }

  /** A query on the platform's database; `{schema:<service>}` in the text names that service's schema. */
  query<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    const resolved = text.replace(/\{schema:([a-z]+)\}/g, (_, service: string) => {
      if (!(PLATFORM_SERVICES as readonly string[]).includes(service))
        throw new Error(`no service ${service} in {schema:${service}}`);
      return `"${this.schemaOf(service as PlatformService)}"`;
    });
    return queryDatabase<T>(this.databaseUrl, resolved, values);
  }

  /** `kill -9`, then a new process of the same replica, waited for until ready. */
  async restart(target: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await target.kill(signal);
    target.start();
    await target.ready();
  }

  /** Everyone's tail of output, for a failing test's message. */
  logs(characters = 3_000): string {
    return this.processes.map((p) => `----- ${p.id}\n${p.tail(characters)}`).join('\n');
  }

  /**
   * SIGTERM (a deployer stops the processes its local provider runs), SIGKILL for what has not exited
   * after `graceMs`; then the streams and schemas are removed.
   */
  async stop(graceMs = 15_000): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        const exited = p.kill('SIGTERM');
        const late = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
        ]);
        if (late) await p.kill('SIGKILL');
      }),
    );
    await deleteStreams(this.natsUrl, this.names.streamPrefix);
    for (const service of PLATFORM_SERVICES) await dropSchema(this.databaseUrl, this.schemaOf(service));
  }
}
