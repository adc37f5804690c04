import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { containerRuntimeReachable, resolveTestServer, type TestServerSources } from './test-server.js';

export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';
const CONTAINER_IMAGE = 'nats:2.10-alpine';
const NATS_SERVER_BINARY = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

const HOW_TO_START = [
  'No NATS (with JetStream) for the tests. Either:',
  '  - set NATS_URL to a NATS server with JetStream enabled;',
  `  - start one answering at ${DEFAULT_TEST_NATS_URL} (on this machine: ` +
    '`start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- ' +
    '-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server`; elsewhere: `docker run -d -p 4222:4222 nats:2.10 -js`);',
  '  - or make a container runtime (Docker, Podman) reachable, and the tests start one themselves.',
].join('\n');

export type TestNatsSources = Omit<TestServerSources, 'variable' | 'howToStart'>;

/** The order of preference; exported so that it can be tested without NATS. */
export function resolveTestNatsUrl(sources: TestNatsSources): Promise<string> {
  return resolveTestServer({ ...sources, variable: 'NATS_URL', howToStart: HOW_TO_START });
}

async function probe(url: string): Promise<string | undefined> {
  let nc;
  try {
    nc = await connect({ servers: url, timeout: 2_000, reconnect: false });
  } catch {
    return `no NATS answers at ${url}`;
  }
  try {
    await jetstreamManager(nc);
    return undefined;
  } catch {
    return `the NATS at ${url} has JetStream disabled (start it with -js)`;
  } finally {
    await nc.close();
  }
}

async function startContainer(): Promise<string | undefined> {
  if (!(await containerRuntimeReachable())) return undefined;
  const { GenericContainer, Wait } = await import('testcontainers');
  // testcontainers' reaper removes the container when the test process exits.
  const container = await new GenericContainer(CONTAINER_IMAGE)
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
}

let resolved: Promise<string> | undefined;

/**
 * A NATS with JetStream for integration tests: NATS_URL if set; else the local default if it
 * answers; else one in a container where a runtime is reachable; else an error saying how to start
 * one. Resolved once per test file; each test isolates itself with uniqueBusNames().
 */
export function natsUrlForTests(): Promise<string> {
  resolved ??= resolveTestNatsUrl({
    envUrl: process.env['NATS_URL'],
    defaultUrl: DEFAULT_TEST_NATS_URL,
    probe,
    startContainer,
  });
  return resolved;
}

/** A subject root and a stream prefix no other test (or run) uses, so streams never overlap. */
export function uniqueBusNames(): { subjectRoot: string; streamPrefix: string } {
  const suffix = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  return { subjectRoot: `t${suffix}`, streamPrefix: `T${suffix.toUpperCase()}` };
}

/**
 * Deletes every stream named `<prefix>_...` (what a bus with that stream prefix created), and its
 * object store buckets (`OBJ_<prefix>_...`).
 */
export async function deleteStreams(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 2_000, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names())
      if (name.startsWith(`${prefix}_`) || name.startsWith(`OBJ_${prefix}_`)) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NatsServerProcess {
  url: string;
  port: number;
  storeDir: string;
  /** Kills the server (SIGKILL by default: a crash) and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if running, then starts it again on the same port and store directory. */
  restart(): Promise<void>;
  /** Stops it and removes the store directory if this helper created it. */
  dispose(): Promise<void>;
}

/**
 * A nats-server of the test's own (JetStream on, file store), for tests that stop and restart it.
 * Resolves once it accepts connections.
 */
export async function startNatsServer(
  options: { port?: number; storeDir?: string } = {},
): Promise<NatsServerProcess> {
  const port = options.port ?? (await freePort());
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'aviary-nats-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    let output = '';
    const server = spawn(
      NATS_SERVER_BINARY,
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    child = server;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise((r) => setTimeout(r, 25, false)),
      ]);
      if (gone || Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`nats-server did not start on port ${port}:\n${output}`);
      }
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
