import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  freePort,
  natsUrlForTests,
  streamMessageCount,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- webhooks [--seconds=15] [--connections=64]`: POST /webhooks/github on a running
 * gateway (its own process, on NATS and PostgreSQL) with a real ~7 KB push payload from
 * @octokit/webhooks-examples, a valid X-Hub-Signature-256 and a new X-GitHub-Delivery per request;
 * then, in the same run, the floor: a bare node:http server that only verifies the HMAC and publishes
 * to JetStream with an ack. Afterwards the messages in each stream are counted against the 202s.
 */

const GOAL_RATIO = 0.6;
const GOAL_P99_MS = 50;
const WARMUP_SECONDS = 3;

interface Run {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  accepted: number;
  other: number;
  errors: number;
}

function option(args: string[], name: string, fallback: number): number {
  const found = args.find((arg) => arg.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function drive(
  url: string,
  body: string,
  signature: string,
  connections: number,
  seconds: number,
): Promise<Run> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench',
      'x-github-event': 'push',
      'x-hub-signature-256': signature,
    },
    body,
    requests: [
      {
        // Every request is a new delivery, or all but the first would be duplicates.
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'x-github-delivery': randomUUID() },
        }),
      },
    ],
  });
  const accepted = result.statusCodeStats?.['202']?.count ?? 0;
  return {
    perSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    accepted,
    other: result['2xx'] + result.non2xx - accepted,
    errors: result.errors,
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The floor, in its own process like the gateway (see _webhook-floor.ts). */
async function startFloor(
  natsUrl: string,
  stream: string,
  secret: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const script = join(dirname(fileURLToPath(import.meta.url)), '_webhook-floor.js');
  const child = spawn(process.execPath, [script, JSON.stringify({ natsUrl, stream, secret, port })], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/webhooks/github`;
  await waitFor(
    async () => (await fetch(url, { method: 'POST' })).status === 401,
    15_000,
    'the floor did not start',
  );
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startGateway(
  env: Record<string, string>,
  port: number,
  nodeArgs: string[],
): Promise<{ child: ChildProcess; output: string[]; stop(): Promise<void> }> {
  const main = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'services',
    'gateway',
    'dist',
    'main.js',
  );
  if (!existsSync(main)) throw new Error(`${main} is missing: npm run bench builds it`);
  const output: string[] = [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200,
    30_000,
    'the gateway did not become ready',
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.join('')}`);
  });
  return {
    child,
    output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`.padStart(10);
}

export async function main(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 15);
  const connections = option(args, 'connections', 64);
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('bench')}_`;
  const adminToken = `bench-${randomBytes(24).toString('hex')}`;
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const examples = require('@octokit/webhooks-examples') as Array<{
    name: string;
    examples: Array<Record<string, unknown>>;
  }>;
  const payload = examples
    .find((e) => e.name === 'push')!
    .examples.find((p) => p['ref'] === 'refs/heads/master')!;
  const body = JSON.stringify(payload);

  const gateway = await startGateway(
    {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      GATEWAY_PORT: String(port),
      AVIARY_ENV: 'test',
      AVIARY_ADMIN_TOKEN: adminToken,
      AVIARY_WEBHOOK_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    port,
    // `--profile=DIR` writes a CPU profile of the gateway there (open it in Chrome's DevTools).
    args
      .filter((arg) => arg.startsWith('--profile='))
      .map((arg) => `--cpu-prof-dir=${arg.split('=')[1]}`)
      .flatMap((dir) => ['--cpu-prof', dir]),
  );
  const floorStream = `${names.streamPrefix}_FLOOR`;
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    let secret = '';
    await waitFor(
      async () => {
        const response = await fetch(`${base}/api/v1/applications`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'hello-world',
            provider: 'github',
            repositoryUrl: 'https://github.com/Codertocat/Hello-World',
          }),
        });
        if (response.status !== 201) return false;
        secret = ((await response.json()) as { webhookSecret: string }).webhookSecret;
        return true;
      },
      30_000,
      'could not create the application',
    );
    const signature = sign(secret, body);
    floor = await startFloor(natsUrl, floorStream, secret);

    await drive(`${base}/webhooks/github`, body, signature, connections, WARMUP_SECONDS);
    await drive(floor.url, body, signature, connections, WARMUP_SECONDS);
    const before = {
      gateway: await streamMessageCount(natsUrl, `${names.streamPrefix}_EVT`),
      floor: await streamMessageCount(natsUrl, floorStream),
    };
    const viaGateway = await drive(`${base}/webhooks/github`, body, signature, connections, seconds);
    const viaFloor = await drive(floor.url, body, signature, connections, seconds);
    const stored = {
      gateway: (await streamMessageCount(natsUrl, `${names.streamPrefix}_EVT`)) - before.gateway,
      floor: (await streamMessageCount(natsUrl, floorStream)) - before.floor,
    };
    const lost = {
      gateway: Math.max(0, viaGateway.accepted - stored.gateway),
      floor: Math.max(0, viaFloor.accepted - stored.floor),
    };
    const ratio = viaGateway.perSecond / viaFloor.perSecond;

    console.log(
      `webhooks benchmark: POST /webhooks/github, ${Buffer.byteLength(body)}-byte push payload (@octokit/webhooks-examples), ` +
        `valid signature, a new delivery id per request, ${connections} connections for ${seconds} s each on 127.0.0.1 ` +
        `(after ${WARMUP_SECONDS} s of warm-up), gateway process vs a bare node:http server that verifies the HMAC and ` +
        'publishes to JetStream with an ack',
    );
    console.log('');
    console.log('side     |   req/s |        p50 |        p99 |    202 | other | errors | stored | lost');
    console.log(
      `${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(12)}|${'-'.repeat(12)}|${'-'.repeat(8)}|${'-'.repeat(7)}|${'-'.repeat(8)}|${'-'.repeat(8)}|${'-'.repeat(5)}`,
    );
    for (const [side, run, count, missing] of [
      ['gateway', viaGateway, stored.gateway, lost.gateway],
      ['floor', viaFloor, stored.floor, lost.floor],
    ] as const)
      console.log(
        `${side.padEnd(9)}| ${Math.round(run.perSecond).toString().padStart(7)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ` +
          `${String(run.accepted).padStart(6)} | ${String(run.other).padStart(5)} | ${String(run.errors).padStart(6)} | ` +
          `${String(count).padStart(6)} | ${String(missing).padStart(4)}`,
      );
    console.log('');
    console.log(
      `throughput ratio gateway/floor: ${ratio.toFixed(2)}x (goal >= ${GOAL_RATIO}x); gateway p99 ${viaGateway.p99Ms} ms (goal < ${GOAL_P99_MS} ms)`,
    );
    console.log(
      JSON.stringify({
        bench: 'webhooks',
        figures: {
          payload_bytes: Buffer.byteLength(body),
          connections,
          seconds,
          gateway: {
            req_per_s: Math.round(viaGateway.perSecond),
            p50_ms: viaGateway.p50Ms,
            p99_ms: viaGateway.p99Ms,
            accepted: viaGateway.accepted,
            other: viaGateway.other,
            errors: viaGateway.errors,
            stored: stored.gateway,
            lost: lost.gateway,
          },
          floor: {
            req_per_s: Math.round(viaFloor.perSecond),
            p50_ms: viaFloor.p50Ms,
            p99_ms: viaFloor.p99Ms,
            accepted: viaFloor.accepted,
            stored: stored.floor,
            lost: lost.floor,
          },
          throughput_ratio: Math.round(ratio * 100) / 100,
        },
        goal: `gateway throughput >= ${GOAL_RATIO}x the floor's, p99 < ${GOAL_P99_MS} ms, zero accepted-but-lost webhooks`,
        met:
          ratio >= GOAL_RATIO &&
          viaGateway.p99Ms < GOAL_P99_MS &&
          lost.gateway === 0 &&
          viaGateway.accepted > 0,
      }),
    );
  } finally {
    await floor?.close();
    await gateway.stop();
    await deleteStreams(natsUrl, names.streamPrefix);
    await dropSchema(databaseUrl, `${schemaPrefix}gateway`);
  }
}
