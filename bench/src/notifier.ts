import {
  type Envelope,
  ExecutionCreated,
  ExecutionFailed,
  SetNotificationSettings,
  type Trigger,
} from '@aviary/events';
import { createJetStreamBus } from '@aviary/messaging';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  freePort,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import nodemailer from 'nodemailer';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { Agent, request } from 'undici';

/**
 * `npm run bench -- notifier [--events=10000] [--concurrency=64] [--paced=1000] [--rate=100]`: the
 * notifier process (its own, on NATS and PostgreSQL) fans 10,000 ExecutionFailed events, published at
 * once, out to three channels of one application (a signed CloudEvents webhook, a Slack incoming
 * webhook, e-mail over SMTP) served by receivers in this process, which count every delivery per
 * execution and channel (duplicates, losses) and time it from the event's publish. Then 1,000 more
 * failures at a steady 100 per second, for the latency without a backlog. The floor, in the same
 * run: the same receivers driven directly (undici for the two HTTP channels, a pooled nodemailer for
 * SMTP) with the same number of requests in flight.
 */

const GOAL = 'zero duplicates or losses at the receivers';
const SECRET = 'bench-webhook-secret-0123456789';
const CHANNELS = ['webhook', 'slack', 'email'] as const;
type ChannelName = (typeof CHANNELS)[number];

function option(args: string[], name: string, fallback: number): number {
  const found = args.find((arg) => arg.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

/** The receivers: what arrived, per channel and execution, and when. */
class Receivers {
  readonly counts = new Map<string, number>();
  readonly arrivals: number[] = [];
  readonly published = new Map<string, number>();
  readonly latencies: number[] = [];
  badSignatures = 0;
  private http!: Server;
  private smtp!: SMTPServer;
  httpUrl = '';
  smtpPort = 0;
  private waiter: (() => void) | undefined;

  record(channel: ChannelName, executionId: string | undefined): void {
    const now = performance.now();
    if (!executionId) return;
    const key = `${channel}/${executionId}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.arrivals.push(now);
    const sent = this.published.get(executionId);
    if (sent !== undefined) this.latencies.push(now - sent);
    this.waiter?.();
  }

  get total(): number {
    return this.arrivals.length;
  }

  async start(): Promise<void> {
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.url === '/hooks/ci') {
          const header = String(req.headers['aviary-signature'] ?? '');
          const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
          const expected = createHmac('sha256', SECRET).update(`${parts['t']}.${body}`).digest('hex');
          if (parts['v1'] !== expected) {
            this.badSignatures += 1;
            res.writeHead(401).end();
            return;
          }
          this.record('webhook', (JSON.parse(body) as { subject?: string }).subject);
          res.writeHead(204).end();
        } else if (req.url === '/slack/hooks/alerts') {
          this.record('slack', /executions\/([^|>]+)\|/.exec(body)?.[1]);
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        } else res.writeHead(404).end();
      });
    });
    this.http.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.httpUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    this.smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 4096) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          this.record('email', /^X-Aviary-Execution: (.+)$/im.exec(head)?.[1]?.trim());
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.smtp.listen(0, '127.0.0.1', () => resolve()));
    this.smtpPort = (this.smtp.server.address() as AddressInfo).port;
  }

  /** Resolves when `total` deliveries arrived, or after `timeoutMs` of nothing new. */
  async until(total: number, idleMs: number): Promise<void> {
    while (this.total < total) {
      const before = this.total;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
      if (this.total === before) return;
    }
  }

  reset(): void {
    this.counts.clear();
    this.arrivals.length = 0;
    this.latencies.length = 0;
    this.published.clear();
  }

  async stop(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** The same receivers driven directly: the cost of the deliveries themselves, nothing else. */
async function floor(receivers: Receivers, ids: string[], concurrency: number): Promise<number> {
  const agent = new Agent({ connections: concurrency });
  const mailer = nodemailer.createTransport({
    pool: true,
    maxConnections: 4,
    host: '127.0.0.1',
    port: receivers.smtpPort,
    ignoreTLS: true,
  });
  const jobs = ids.flatMap((id) => CHANNELS.map((channel) => ({ id, channel })));
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { id, channel } = jobs[next++]!;
      receivers.published.set(id, receivers.published.get(id) ?? performance.now());
      if (channel === 'email') {
        await mailer.sendMail({
          from: 'aviary@example.com',
          to: 'team@example.com',
          subject: `bench failed ${id}`,
          text: `execution ${id} failed`,
          html: `<p>execution ${id} failed</p>`,
          headers: { 'X-Aviary-Execution': id },
        });
      } else if (channel === 'webhook') {
        const body = JSON.stringify({
          specversion: '1.0',
          id,
          type: 'dev.aviary.notification.execution.failed',
          source: '/bench',
          subject: id,
          data: {},
        });
        const t = Math.floor(Date.now() / 1000);
        const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
        const response = await request(`${receivers.httpUrl}/hooks/ci`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/cloudevents+json', 'aviary-signature': `t=${t},v1=${v1}` },
          dispatcher: agent,
        });
        await response.body.dump();
      } else {
        const response = await request(`${receivers.httpUrl}/slack/hooks/alerts`, {
          method: 'POST',
          body: JSON.stringify({ text: `*failed*\n<https://aviary.example.com/executions/${id}|${id}>` }),
          headers: { 'content-type': 'application/json' },
          dispatcher: agent,
        });
        await response.body.dump();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  mailer.close();
  await agent.close();
  return jobs.length / seconds;
}

function trigger(): Trigger {
  return {
    kind: 'push',
    provider: 'github',
    repository: 'https://github.com/acme/bench',
    ref: 'refs/heads/main',
    branch: 'main',
    sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  };
}

async function handled(url: string, subject: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('aviary_bus_messages_handled_total{') && l.includes(`subject="${subject}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

export async function main(args: string[]): Promise<void> {
  const events = option(args, 'events', 10_000);
  const concurrency = option(args, 'concurrency', 64);
  const paced = option(args, 'paced', 1000);
  const rate = option(args, 'rate', 100);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const mainJs = join(root, 'services', 'notifier', 'dist', 'main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: npm run bench builds it`);

  const receivers = new Receivers();
  await receivers.start();
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bnt')}_`;
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [mainJs], {
    env: {
      PATH: process.env['PATH'],
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      NOTIFIER_PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      NOTIFIER_SLACK_WEBHOOK_ALERTS: `${receivers.httpUrl}/slack/hooks/alerts`,
      NOTIFIER_WEBHOOK_CI_URL: `${receivers.httpUrl}/hooks/ci`,
      NOTIFIER_WEBHOOK_CI_SECRET: SECRET,
      NOTIFIER_SMTP_URL: `smtp://127.0.0.1:${receivers.smtpPort}?tls=off`,
      NOTIFIER_CONCURRENCY: String(concurrency),
      NOTIFIER_TARGET_CONCURRENCY: String(Math.ceil(concurrency / 3)),
      NOTIFIER_POLL_MS: '50',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bus = createJetStreamBus({
    service: 'bench-notifier',
    servers: natsUrl,
    ...names,
    logger: pino({ level: 'silent' }),
  });
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok && bus.health().ready) break;
      if (i > 300) throw new Error('the notifier did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await bus.client.publish(SetNotificationSettings, {
      application: 'bench',
      user: 'bench',
      settings: {
        channels: ['webhook:ci', 'slack-webhook:alerts', 'email:team@example.com'],
        subscriptions: [],
        templates: {},
      },
    });
    const ids = Array.from({ length: events }, (_, i) => `bench-${i}-${names.subjectRoot}`);
    const ref = (executionId: string) => ({
      executionId,
      application: 'bench',
      pipeline: 'node-service',
      trigger: trigger(),
    });
    // The executions exist first (as the orchestrator announces them), so the failures are news.
    await inBatches(ids, 500, (id) =>
      bus.client.publish(ExecutionCreated, {
        ...ref(id),
        stages: [{ stageId: 'test', type: 'run', dependsOn: [] }],
        createdAt: new Date().toISOString(),
      }),
    );
    while ((await handled(url, ExecutionCreated.subject)) < events)
      await new Promise((resolve) => setTimeout(resolve, 200));

    const expected = events * CHANNELS.length;
    const started = performance.now();
    await inBatches(ids, 200, async (id) => {
      receivers.published.set(id, performance.now());
      const envelope: Envelope = await bus.client.publish(ExecutionFailed, {
        ...ref(id),
        failedAt: new Date().toISOString(),
        durationMs: 1000,
        failedStageId: 'test',
        reason: 'tests failed',
      });
      return envelope;
    });
    const published = performance.now();
    let ingested = 0;
    const watchIngest = (async () => {
      while ((await handled(url, ExecutionFailed.subject)) < events && receivers.total < expected)
        await new Promise((resolve) => setTimeout(resolve, 250));
      ingested = performance.now();
    })();
    await receivers.until(expected, 30_000);
    await watchIngest;
    const lastArrival = Math.max(...receivers.arrivals);
    const seconds = (lastArrival - started) / 1000;
    const latencies = [...receivers.latencies].sort((a, b) => a - b);
    let duplicates = 0;
    let lost = 0;
    for (const id of ids)
      for (const channel of CHANNELS) {
        const count = receivers.counts.get(`${channel}/${id}`) ?? 0;
        if (count === 0) lost += 1;
        if (count > 1) duplicates += count - 1;
      }
    const perChannel = Object.fromEntries(
      CHANNELS.map((channel) => [
        channel,
        [...receivers.counts.keys()].filter((k) => k.startsWith(`${channel}/`)).length,
      ]),
    );
    const notifier = {
      deliveriesPerSecond: Math.round(receivers.total / seconds),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      publishSeconds: Number(((published - started) / 1000).toFixed(2)),
      ingestSeconds: Number(((ingested - started) / 1000).toFixed(2)),
    };

    // Latency without a backlog: failures published at a steady rate the notifier keeps up with.
    receivers.reset();
    const pacedIds = Array.from({ length: paced }, (_, i) => `paced-${i}-${names.subjectRoot}`);
    await inBatches(pacedIds, 500, (id) =>
      bus.client.publish(ExecutionCreated, {
        ...ref(id),
        stages: [{ stageId: 'test', type: 'run', dependsOn: [] }],
        createdAt: new Date().toISOString(),
      }),
    );
    while ((await handled(url, ExecutionCreated.subject)) < events + paced)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const pacedStart = performance.now();
    for (let i = 0; i < pacedIds.length; i++) {
      const due = pacedStart + (i * 1000) / rate;
      if (due > performance.now())
        await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      const id = pacedIds[i]!;
      receivers.published.set(id, performance.now());
      void bus.client.publish(ExecutionFailed, {
        ...ref(id),
        failedAt: new Date().toISOString(),
        durationMs: 1000,
        failedStageId: 'test',
        reason: 'tests failed',
      });
    }
    await receivers.until(paced * CHANNELS.length, 30_000);
    const pacedLatencies = [...receivers.latencies].sort((a, b) => a - b);
    const pacedFigures = {
      p50Ms: Math.round(percentile(pacedLatencies, 50)),
      p99Ms: Math.round(percentile(pacedLatencies, 99)),
      delivered: receivers.total,
    };

    receivers.reset();
    const floorPerSecond = Math.round(
      await floor(receivers, ids.slice(0, Math.min(events, 5000)), concurrency),
    );
    const floorLatencies = [...receivers.latencies].sort((a, b) => a - b);

    console.log(
      `notifier: ${events} ExecutionFailed events x ${CHANNELS.length} channels, ${concurrency} deliveries in flight`,
    );
    console.log('');
    console.log(
      '| run                                | deliveries/s | p50 event->delivery | p99 event->delivery | duplicates | lost |',
    );
    console.log(
      '| ---------------------------------- | -----------: | ------------------: | ------------------: | ---------: | ---: |',
    );
    console.log(
      `| ${'notifier process, all at once'.padEnd(34)} | ${String(notifier.deliveriesPerSecond).padStart(12)} | ${`${notifier.p50Ms} ms`.padStart(19)} | ${`${notifier.p99Ms} ms`.padStart(19)} | ${String(duplicates).padStart(10)} | ${String(lost).padStart(4)} |`,
    );
    console.log(
      `| ${`notifier process, ${rate} events/s`.padEnd(34)} | ${String(Math.round(rate * CHANNELS.length)).padStart(12)} | ${`${pacedFigures.p50Ms} ms`.padStart(19)} | ${`${pacedFigures.p99Ms} ms`.padStart(19)} |          - | ${String(paced * CHANNELS.length - pacedFigures.delivered).padStart(4)} |`,
    );
    console.log(
      `| ${'floor: receivers driven directly'.padEnd(34)} | ${String(floorPerSecond).padStart(12)} | ${`${Math.round(percentile(floorLatencies, 50))} ms`.padStart(19)} | ${`${Math.round(percentile(floorLatencies, 99))} ms`.padStart(19)} |          - |    - |`,
    );
    console.log('');
    console.log(
      `per channel (executions reached): ${JSON.stringify(perChannel)}; bad webhook signatures: ${receivers.badSignatures}; events published in ${notifier.publishSeconds} s, all taken in (logged for delivery) in ${notifier.ingestSeconds} s`,
    );
    const figures = {
      events,
      channels: CHANNELS.length,
      deliveries: expected - lost,
      duplicates,
      lost,
      deliveriesPerSecond: notifier.deliveriesPerSecond,
      p50Ms: notifier.p50Ms,
      p99Ms: notifier.p99Ms,
      pacedEventsPerSecond: rate,
      pacedP50Ms: pacedFigures.p50Ms,
      pacedP99Ms: pacedFigures.p99Ms,
      floorDeliveriesPerSecond: floorPerSecond,
      ratioToFloor: Number((notifier.deliveriesPerSecond / floorPerSecond).toFixed(3)),
    };
    console.log(
      JSON.stringify({
        bench: 'notifier',
        figures,
        goal: GOAL,
        met: duplicates === 0 && lost === 0 && pacedFigures.delivered === paced * CHANNELS.length,
      }),
    );
  } finally {
    await bus.close();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await receivers.stop();
    await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    await dropSchema(databaseUrl, `${schemaPrefix}notifier`).catch(() => undefined);
  }
}
