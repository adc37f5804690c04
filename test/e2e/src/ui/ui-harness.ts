import { startStandalone, type Standalone } from '@aviary/standalone';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const WEB_DIST = join(root, 'services', 'gateway', 'web', 'dist');
export const ARTIFACTS = join(root, 'test', 'e2e', 'artifacts');

/**
 * Aviary in one process (the standalone mode) with the built UI, in a fresh data directory; reads
 * open to anonymous users unless `env` says otherwise.
 */
export async function startAviary(env: Record<string, string> = {}): Promise<{
  aviary: Standalone;
  token: string;
  close: () => Promise<void>;
}> {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error(`${WEB_DIST} has no index.html: build the web UI first (npm run build)`);
  const dataDir = await mkdtemp(join(tmpdir(), 'aviary-ui-e2e-'));
  const aviary = await startStandalone({
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      AVIARY_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      AVIARY_WEB_DIR: WEB_DIST,
      AVIARY_ANONYMOUS_READ: 'true',
      ...env,
    },
  });
  return {
    aviary,
    token: aviary.adminToken!,
    close: async () => {
      await aviary.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's chromium, headless, in a fresh profile. */
export async function startBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'aviary-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A screenshot under test/e2e/artifacts/ (kept by CI, ignored by git). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** An API call with the admin token, failing on anything but success. */
export async function callApi<T>(
  aviary: Standalone,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${aviary.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A git repository on this machine (`file://`), one pipeline file per branch. */
export class PipelineRepository {
  private constructor(readonly dir: string) {}

  get url(): string {
    return pathToFileURL(this.dir).href;
  }

  static async create(): Promise<PipelineRepository> {
    const dir = await mkdtemp(join(tmpdir(), 'aviary-ui-repo-'));
    const repository = new PipelineRepository(dir);
    await repository.git('init', '--quiet', '--initial-branch=main');
    return repository;
  }

  /** Commits `pipeline` as .aviary/pipeline.yaml on `branch` (created from main); returns the sha. */
  async commit(branch: string, pipeline: string): Promise<string> {
    const branches = (await this.git('branch', '--list', branch)).trim();
    const hasCommits = await this.git('rev-parse', '--verify', '--quiet', 'HEAD').then(
      () => true,
      () => false,
    );
    if (hasCommits) await this.git('checkout', '--quiet', ...(branches ? [branch] : ['-b', branch]));
    else if (branch !== 'main') throw new Error('commit on main first');
    await mkdir(join(this.dir, '.aviary'), { recursive: true });
    await writeFile(join(this.dir, '.aviary', 'pipeline.yaml'), pipeline);
    await writeFile(join(this.dir, 'README.md'), `# ui e2e\n\n${branch}\n`);
    await this.git('add', '--all');
    await this.git(
      '-c',
      'user.name=Ada',
      '-c',
      'user.email=ada@example.com',
      'commit',
      '--quiet',
      '--no-gpg-sign',
      '-m',
      `pipeline for ${branch}`,
    );
    const sha = (await this.git('rev-parse', 'HEAD')).trim();
    await this.git('checkout', '--quiet', 'main');
    return sha;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async git(...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, { cwd: this.dir });
    return stdout;
  }
}

/**
 * A service's /metrics for the canary's scraper: a latency gauge around `latencyMs` (5 % noise) and
 * a request counter, as Prometheus' text format.
 */
export async function startMetricsEndpoint(
  latencyMs: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  let requests = 0;
  let seed = Math.round(latencyMs * 7919);
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    requests += 100;
    const latency = latencyMs * (1 + 0.1 * noise());
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(
      [
        '# HELP app_request_latency_ms recent request latency',
        '# TYPE app_request_latency_ms gauge',
        `app_request_latency_ms ${latency.toFixed(3)}`,
        '# HELP http_requests_total requests',
        '# TYPE http_requests_total counter',
        `http_requests_total{route="/api"} ${requests}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // the canary's scraper keeps its connections alive
        server.closeAllConnections();
      }),
  };
}
