import { afterEach, describe, expect, it } from '@jest/globals';
import { ReadRepositoryFile, StageCommands, type StageCommandData } from '@aviary/events';
import {
  TcpProxy,
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  freePort,
  natsUrlForTests,
  startNatsServer,
  streamMessageCount,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { Controller, Injectable, Module } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { startService, type RunningService } from './bootstrap.js';

/** Holds each `run` command until the test releases it, so a shutdown can happen mid-handler. */
@Injectable()
class SlowWork {
  started: string[] = [];
  finished: string[] = [];
  release: () => void = () => undefined;
  private gate = new Promise<void>((resolve) => (this.release = resolve));

  async run(stageId: string): Promise<void> {
    this.started.push(stageId);
    await this.gate;
    this.finished.push(stageId);
  }
}

@Controller()
class SlowController {
  constructor(private readonly work: SlowWork) {}

  @EventPattern<string>(StageCommands.builder.run.subject)
  async run(@Payload() data: StageCommandData): Promise<void> {
    await this.work.run(data.stageId);
  }
}

@Controller()
class FailingQueryController {
  @MessagePattern(ReadRepositoryFile.subject)
  read(): never {
    throw new Error('repository acme/orders is not in the cache');
  }
}

@Module({ controllers: [SlowController, FailingQueryController], providers: [SlowWork] })
class SlowModule {}

function command(stageId: string): StageCommandData {
  return {
    executionId: 'exec-1',
    stageId,
    attempt: 1,
    application: 'orders',
    stageType: 'run',
    trigger: {
      kind: 'push',
      provider: 'github',
      repository: 'https://github.com/acme/orders',
      ref: 'refs/heads/main',
      branch: 'main',
      sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    },
    settings: { command: 'npm test' },
    inputs: {},
    deadline: new Date(Date.now() + 60_000).toISOString(),
  };
}

interface Health {
  status: number;
  body: {
    status: string;
    info?: Record<string, { status: string }>;
    error?: Record<string, { status: string; detail: string }>;
  };
}

async function health(service: RunningService): Promise<Health> {
  const response = await fetch(`${service.url}/health`);
  return { status: response.status, body: (await response.json()) as Health['body'] };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function testEnvironment(overrides: { natsUrl?: string; databaseUrl?: string } = {}) {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('rt')}_`;
  const natsUrl = overrides.natsUrl ?? (await natsUrlForTests());
  const databaseUrl = overrides.databaseUrl ?? (await databaseUrlForTests());
  cleanups.push(() => dropSchema(databaseUrl, `${schemaPrefix}builder`));
  cleanups.push(() => deleteStreams(natsUrl, names.streamPrefix));
  return {
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    AVIARY_SUBJECT_ROOT: names.subjectRoot,
    AVIARY_STREAM_PREFIX: names.streamPrefix,
    AVIARY_SCHEMA_PREFIX: schemaPrefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
  };
}

describe('a service', () => {
  it('starts without its bus and database, reports not ready, and becomes ready when they come back', async () => {
    const natsPort = await freePort();
    const realDatabase = new URL(await databaseUrlForTests());
    const proxy = new TcpProxy(
      { host: realDatabase.hostname, port: Number(realDatabase.port || 5432) },
      await freePort(),
    );
    const proxied = new URL(realDatabase);
    proxied.port = String(proxy.port);
    const env = await testEnvironment({
      natsUrl: `nats://127.0.0.1:${natsPort}`,
      databaseUrl: proxied.toString(),
    });
    cleanups.push(() => proxy.close());

    const service = await startService({ name: 'builder', module: SlowModule }, { env });
    cleanups.push(() => service.close());

    const down = await health(service);
    expect(down.status).toBe(503);
    expect(down.body.error?.['bus']?.status).toBe('down');
    expect(down.body.error?.['database']?.status).toBe('down');
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);

    const nats = await startNatsServer({ port: natsPort });
    cleanups.push(() => nats.stop());
    await proxy.open();

    const up = await eventually(async () => {
      const h = await health(service);
      expect(h.status).toBe(200);
      return h;
    }, 30_000);
    expect(up.body.info).toMatchObject({ bus: { status: 'up' }, database: { status: 'up' } });

    await proxy.close();
    await eventually(
      async () => expect((await health(service)).body.error?.['database']?.status).toBe('down'),
      15_000,
    );
    await proxy.open();
    await eventually(async () => expect((await health(service)).status).toBe(200), 30_000);
  }, 90_000);

  it('serves Prometheus metrics with default, bus and handler metrics', async () => {
    const env = await testEnvironment();
    const service = await startService({ name: 'builder', module: SlowModule }, { env });
    cleanups.push(() => service.close());
    await eventually(async () => expect((await health(service)).status).toBe(200), 30_000);
    const work = service.app.get(SlowWork);
    work.release();
    await service.bus.client.publish(StageCommands.builder.run, command('s-metrics'));
    await eventually(() => expect(work.finished).toContain('s-metrics'));

    const response = await fetch(`${service.url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toMatch(/aviary_bus_connected\{[^}]*\} 1/);
    expect(text).toMatch(/aviary_bus_messages_handled_total\{[^}]*\} 1/);
    expect(text).toContain('aviary_bus_handler_duration_seconds_bucket');
  }, 60_000);

  it("hands a handler's own error to the transport, without the service binding a filter", async () => {
    const env = await testEnvironment();
    const service = await startService({ name: 'builder', module: SlowModule }, { env });
    cleanups.push(() => service.close());
    await eventually(async () => expect((await health(service)).status).toBe(200), 30_000);
    const query = service.bus.client.query(ReadRepositoryFile, {
      application: 'orders',
      repository: 'https://github.com/acme/orders',
      sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      path: '.aviary/pipeline.yaml',
    });
    await expect(query).rejects.toThrow('repository acme/orders is not in the cache');
  }, 60_000);

  it('drains on shutdown: a handler in flight finishes and its message is acknowledged, not redelivered', async () => {
    const env = await testEnvironment();
    const service = await startService({ name: 'builder', module: SlowModule }, { env });
    await eventually(async () => expect((await health(service)).status).toBe(200), 30_000);
    const work = service.app.get(SlowWork);

    await service.bus.client.publish(StageCommands.builder.run, command('s-inflight'));
    await eventually(() => expect(work.started).toEqual(['s-inflight']));

    const closed = service.close();
    setTimeout(() => work.release(), 300);
    await closed;
    expect(work.finished).toEqual(['s-inflight']);

    expect(await streamMessageCount(env.NATS_URL, `${env.AVIARY_STREAM_PREFIX}_CMD`)).toBe(0);
  }, 60_000);
});
