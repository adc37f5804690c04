import { subjectMatches } from '@aviary/events';
import { createJetStreamBus, type StreamedEvent } from '@aviary/messaging';
import { startService, type RunningService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  natsUrlForTests,
  uniqueBusNames,
  streamMessageCount,
  uniqueSchemaName,
} from '@aviary/test-support';
import { createLogger } from '@aviary/observability';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createGatewayService } from '../service.js';

export interface GatewayUnderTest {
  service: RunningService;
  url: string;
  adminToken: string;
  natsUrl: string;
  databaseUrl: string;
  subjectRoot: string;
  streamPrefix: string;
  schema: string;
  /** What the gateway printed on its "standard output" (the first admin token banner). */
  printed: string[];
  /** The gateway's log lines (info and above), parsed. */
  logs: Array<Record<string, unknown>>;
  /** Real HTTP to the gateway. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** The events kept on the events stream whose canonical subject matches `pattern`. */
  stored(pattern: string): Promise<StreamedEvent[]>;
  close(): Promise<void>;
}

/** The fields tests read in the gateway's answers (problems, webhook answers, resources). */
export interface ResponseBody {
  [key: string]: unknown;
  status?: unknown;
  message?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  webhookSecret?: string;
  token?: string;
  applications?: Array<{ name: string }>;
  records?: Array<Record<string, unknown>>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: ResponseBody;
  text: string;
}

export async function send(url: string, init: RequestInit): Promise<TestResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: ResponseBody;
  try {
    body = text ? (JSON.parse(text) as ResponseBody) : {};
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/**
 * Every event kept on the events stream whose canonical subject matches `pattern`, read back through
 * the bus (a reader of its own) up to the stream's current length.
 */
export async function storedEvents(
  natsUrl: string,
  names: { subjectRoot: string; streamPrefix: string },
  pattern: string,
): Promise<StreamedEvent[]> {
  const total = await streamMessageCount(natsUrl, `${names.streamPrefix}_EVT`).catch(() => 0);
  if (total === 0) return [];
  const bus = createJetStreamBus({
    service: 'test-reader',
    servers: natsUrl,
    ...names,
    logger: pino({ level: 'silent' }),
  });
  try {
    const feed = await bus.client.subscribeEvents('aviary.evt.>', { fromSequence: 1 });
    const events: StreamedEvent[] = [];
    const timer = setTimeout(() => feed.close(), 10_000);
    let read = 0;
    for await (const event of feed) {
      read += 1;
      if (subjectMatches(pattern, event.subject)) events.push(event);
      if (read >= total) break;
    }
    clearTimeout(timer);
    feed.close();
    return events;
  } finally {
    await bus.close();
  }
}

/**
 * A gateway on real NATS and PostgreSQL under unique names (subject root, streams, schema), with
 * AVIARY_ADMIN_TOKEN set unless `env` says otherwise; ready when `/health` says so.
 */
export async function startGateway(
  options: {
    env?: Record<string, string | undefined>;
    natsUrl?: string;
    waitReady?: boolean;
    /** Another replica of this gateway: the same streams and schema (it cleans them up). */
    replicaOf?: GatewayUnderTest;
  } = {},
): Promise<GatewayUnderTest> {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({
    service: 'gateway',
    level: 'info',
    destination,
  });
  const replicaOf = options.replicaOf;
  const names = replicaOf
    ? { subjectRoot: replicaOf.subjectRoot, streamPrefix: replicaOf.streamPrefix }
    : uniqueBusNames();
  const schemaPrefix = replicaOf
    ? replicaOf.schema.slice(0, -'gateway'.length)
    : `${uniqueSchemaName('gw')}_`;
  const natsUrl = options.natsUrl ?? replicaOf?.natsUrl ?? (await natsUrlForTests());
  const databaseUrl = await databaseUrlForTests();
  const adminToken = `test-admin-${randomBytes(24).toString('hex')}`;
  const printed: string[] = [];
  const service = await startService(
    createGatewayService({ adminTokenOutput: { write: (text) => printed.push(text) } }),
    {
      env: {
        NATS_URL: natsUrl,
        DATABASE_URL: databaseUrl,
        AVIARY_SUBJECT_ROOT: names.subjectRoot,
        AVIARY_STREAM_PREFIX: names.streamPrefix,
        AVIARY_SCHEMA_PREFIX: schemaPrefix,
        PORT: '0',
        AVIARY_ENV: 'test',
        AVIARY_ADMIN_TOKEN: adminToken,
        ...options.env,
      },
      logger,
    },
  );
  const schema = `${schemaPrefix}gateway`;
  const gateway: GatewayUnderTest = {
    service,
    url: service.url,
    adminToken:
      options.env && 'AVIARY_ADMIN_TOKEN' in options.env
        ? (options.env['AVIARY_ADMIN_TOKEN'] ?? '')
        : adminToken,
    natsUrl,
    databaseUrl,
    subjectRoot: names.subjectRoot,
    streamPrefix: names.streamPrefix,
    schema,
    printed,
    logs,
    call(method, path, { token, body, headers = {} } = {}) {
      const bearer = token === undefined ? gateway.adminToken : token;
      return send(`${service.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
    stored: (pattern) => storedEvents(natsUrl, names, pattern),
    async close() {
      await service.close();
      if (replicaOf) return;
      await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
      await dropSchema(databaseUrl, schema).catch(() => undefined);
    },
  };
  if (options.waitReady ?? true)
    await waitUntilReady(gateway).catch(async (error: unknown) => {
      await gateway.close();
      throw error;
    });
  return gateway;
}

async function waitUntilReady(gateway: GatewayUnderTest): Promise<void> {
  const { service } = gateway;
  {
    await eventually(async () => {
      const response = await fetch(`${service.url}/health`);
      if (response.status !== 200) throw new Error(`not ready: ${await response.text()}`);
    }, 20_000);
    // The bootstrap token exists once the database is ready and the bootstrap ran.
    if (gateway.adminToken)
      await eventually(async () => {
        const response = await gateway.call('GET', '/api/v1/tokens');
        if (response.status !== 200)
          throw new Error(`admin token not ready: ${response.status} ${response.text}`);
      }, 20_000);
  }
}
