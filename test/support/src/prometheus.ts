import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats.js';

const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface TestPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/**
 * A scrape job: its name and the `host:port` targets it scrapes (path /metrics unless given), or the
 * URL of a Prometheus HTTP service discovery that lists them (refreshed every second).
 */
export interface ScrapeJob {
  job: string;
  targets?: string[];
  labels?: Record<string, string>;
  metricsPath?: string;
  httpSdUrl?: string;
  /** How often (default `1s`). */
  scrapeInterval?: string;
}

/**
 * A real Prometheus (Debian's `prometheus`) on a free loopback port with its own storage, scraping
 * the given jobs every second unless told otherwise (static targets, or found through HTTP service discovery). Fails with how to install it when the binary is missing.
 */
export async function startPrometheus(jobs: ScrapeJob[]): Promise<TestPrometheus> {
  if (!existsSync(PROMETHEUS_BINARY))
    throw new Error(
      `no ${PROMETHEUS_BINARY}: install Prometheus with \`apt-get install -y prometheus\` (CI does it in .ci/run)`,
    );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aviary-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: jobs.map((job) => ({
        job_name: job.job,
        metrics_path: job.metricsPath ?? '/metrics',
        ...(job.scrapeInterval
          ? { scrape_interval: job.scrapeInterval, scrape_timeout: job.scrapeInterval }
          : {}),
        ...(job.targets ? { static_configs: [{ targets: job.targets, labels: job.labels ?? {} }] } : {}),
        ...(job.httpSdUrl ? { http_sd_configs: [{ url: job.httpSdUrl, refresh_interval: '1s' }] } : {}),
      })),
    }),
  );
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited at start:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not answer on ${url} within 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
