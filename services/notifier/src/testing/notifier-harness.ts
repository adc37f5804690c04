import {
  type DataOf,
  type Envelope,
  ExecutionCreated,
  ExecutionStageChanged,
  ExecutionStarted,
  type MessageContract,
  type NotificationSettings,
  type Trigger,
} from '@aviary/events';
import { createJetStreamBus, type Bus } from '@aviary/messaging';
import { type RunningService, startService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import { notifierService } from '../service.js';

export interface NotifierUnderTest {
  service: RunningService;
  /** A bus of the test's own on the same streams (a short duplicate window: it can deliver twice). */
  client: Bus;
  natsUrl: string;
  databaseUrl: string;
  subjectRoot: string;
  streamPrefix: string;
  schemaPrefix: string;
  publish<C extends MessageContract>(
    contract: C,
    data: DataOf<C>,
    meta?: { id?: string; time?: Date },
  ): Promise<Envelope>;
  close(): Promise<void>;
}

/** The notifier on real NATS and PostgreSQL under unique names, ready when `/health` says so. */
export async function startNotifier(env: Record<string, string>): Promise<NotifierUnderTest> {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('ntf')}_`;
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  const service = await startService(notifierService, {
    env: {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...env,
    },
  });
  await eventually(async () => expectOk(await fetch(`${service.url}/health`)), 30_000);
  const client = createJetStreamBus({
    service: 'notifier-test',
    servers: natsUrl,
    ...names,
    duplicateWindowMs: 100,
    logger: pino({ level: 'silent' }),
  });
  await eventually(() => {
    if (!client.health().ready) throw new Error(client.health().detail);
  }, 20_000);
  return {
    service,
    client,
    natsUrl,
    databaseUrl,
    ...names,
    schemaPrefix,
    publish: (contract, data, meta = {}) => client.client.publish(contract, data, meta),
    async close() {
      await service.close();
      await client.close();
      await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
      await dropSchema(databaseUrl, `${schemaPrefix}notifier`).catch(() => undefined);
    },
  };
}

async function expectOk(response: Response): Promise<void> {
  if (response.status !== 200) throw new Error(`not ready: ${await response.text()}`);
}

export const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

export function trigger(application: string, provider: Trigger['provider'] = 'github'): Trigger {
  return {
    kind: 'push',
    provider,
    repository: `https://${provider}.com/acme/${application}`,
    ref: 'refs/heads/main',
    branch: 'main',
    sha: SHA,
    actor: 'alice',
    message: 'Make checkout faster\n\nbody',
  };
}

/** Events of one execution, with times that increase as they are made. */
export class ExecutionScript {
  readonly executionId = `exec-${randomUUID()}`;
  private clock = Date.parse('2026-11-01T10:00:00Z');

  constructor(
    private readonly notifier: NotifierUnderTest,
    readonly application: string,
    readonly stages: string[] = ['build', 'test', 'deploy'],
  ) {}

  /** The next instant, a second after the previous one. */
  tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  get ref() {
    return {
      executionId: this.executionId,
      application: this.application,
      pipeline: 'node-service',
      trigger: trigger(this.application),
    };
  }

  created(notifications?: NotificationSettings): Promise<Envelope> {
    return this.notifier.publish(ExecutionCreated, {
      ...this.ref,
      stages: this.stages.map((stageId, i) => ({
        stageId,
        type: stageId === 'judge' ? 'manual-judgment' : 'run',
        dependsOn: i ? [this.stages[i - 1]!] : [],
      })),
      createdAt: this.tick(),
      ...(notifications ? { notifications } : {}),
    });
  }

  started(): Promise<Envelope> {
    return this.notifier.publish(ExecutionStarted, { ...this.ref, startedAt: this.tick() });
  }

  stage(stageId: string, from: string, to: string, reason?: string): Promise<Envelope> {
    return this.notifier.publish(ExecutionStageChanged, {
      executionId: this.executionId,
      application: this.application,
      stageId,
      stageType: 'run',
      attempt: 1,
      from: from as never,
      to: to as never,
      outputs: {},
      at: this.tick(),
      ...(reason ? { reason } : {}),
    });
  }
}
