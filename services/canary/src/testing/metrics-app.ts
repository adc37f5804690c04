import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'metrics-app.js');

export interface MetricsApp {
  /** `127.0.0.1:<port>` */
  host: string;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts the fixture service as its own process with the given latency and error share. */
export async function startMetricsApp(options: {
  latencyMs: number;
  errorRate?: number;
  seed: number;
}): Promise<MetricsApp> {
  const child = spawn(
    process.execPath,
    [APP, String(options.latencyMs), String(options.errorRate ?? 0), String(options.seed)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`metrics app exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  const host = `127.0.0.1:${port}`;
  return {
    host,
    metricsUrl: `http://${host}/metrics`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The canary config of the tests: latency (critical on increase, 10 % allowed) and the request rate. */
export const testCanaryConfig = {
  name: 'shop',
  judge: { name: 'NetflixACAJudge-v1.0', judgeConfigurations: {} },
  templates: { 'pod-in-namespace': 'pod=~"${scope}.*",namespace="${location}"' },
  metrics: [
    {
      name: 'latency',
      groups: ['response_time'],
      query: {
        type: 'prometheus',
        metricName: 'app_request_latency_ms',
        customFilterTemplate: 'pod-in-namespace',
      },
      analysisConfigurations: {
        canary: {
          direction: 'increase',
          critical: true,
          effectSize: { allowedIncrease: 1.1, criticalIncrease: 1.2 },
        },
      },
    },
    {
      name: 'throughput',
      groups: ['traffic'],
      query: {
        type: 'prometheus',
        metricName: 'http_requests_total',
        customFilterTemplate: 'pod-in-namespace',
        rate: true,
        rateWindow: '3s',
      },
      analysisConfigurations: { canary: { direction: 'decrease', effectSize: { allowedDecrease: 0.8 } } },
    },
  ],
  classifier: { groupWeights: { response_time: 70, traffic: 30 } },
};
