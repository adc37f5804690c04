import { KubeConfig } from '@kubernetes/client-node';
import {
  ClientNodeKubeClient,
  KubernetesTarget,
  type Release,
  type ReleaseJournal,
  ReleaseRunner,
} from '@aviary/deployer';
import { type KubeApiServer, startKubeApiServer } from '@aviary/kube-apiserver';
import { performance } from 'node:perf_hooks';

/**
 * `npm run bench -- deployer [--releases=N] [--canaries=N]`: against the Kubernetes API test server
 * with a zero-delay controller,
 * - a rolling release of a new application, one after the other: the five objects applied and the
 *   rollout seen healthy (p50/p99);
 * - in the same run, the floor: five bare server-side apply PATCH requests (fetch, no client library)
 *   and one watch event showing the rollout done;
 * - N concurrent canary releases (baseline + canary deployed and healthy, promoted, cleaned up), total.
 */

const GOAL_RATIO = 2;
const silent: ReleaseJournal = { transitioned: () => Promise.resolve(), progress: () => Promise.resolve() };

function release(app: string, image: string, strategy: Release['strategy'], n: number): Release {
  return {
    id: `bench-${n}/deploy/1`,
    executionId: `bench-${n}`,
    stageId: 'deploy',
    attempt: 1,
    application: app,
    environment: 'production',
    namespace: 'production',
    strategy,
    state: 'requested',
    image,
    env: { NODE_ENV: 'production' },
    servicePath: app,
    overrides: {},
    outputs: {},
    options: {
      keepPreviousForMs: 0,
      steps: [100],
      stepPauseMs: 0,
      canaryReplicas: 1,
      baselineReplicas: 1,
      replicas: 2,
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** The five objects as bare JSON, applied with fetch, then a watch until the rollout is done. */
async function floorOnce(server: KubeApiServer, app: string): Promise<number> {
  const labels = { app, 'aviary.dev/track': 'stable' };
  const objects: Array<[string, object]> = [
    [
      `/apis/apps/v1/namespaces/production/deployments/${app}`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: 'production', labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: app,
                  image: 'registry.local/floor:1',
                  ports: [{ name: 'http', containerPort: 3000 }],
                },
              ],
            },
          },
        },
      },
    ],
    [
      `/api/v1/namespaces/production/services/${app}`,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: 'production' },
        spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ],
    [
      `/apis/autoscaling/v2/namespaces/production/horizontalpodautoscalers/${app}`,
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: app, namespace: 'production' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
          minReplicas: 2,
          maxReplicas: 10,
        },
      },
    ],
    [
      `/apis/networking.k8s.io/v1/namespaces/production/ingresses/${app}`,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: app, namespace: 'production' },
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: `/${app}`,
                    pathType: 'Prefix',
                    backend: { service: { name: app, port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    ],
    [
      `/apis/monitoring.coreos.com/v1/namespaces/monitoring/servicemonitors/${app}`,
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: app, namespace: 'monitoring' },
        spec: { selector: { matchLabels: { app } }, endpoints: [{ port: 'http', path: '/metrics' }] },
      },
    ],
  ];
  const started = performance.now();
  for (const [path, body] of objects) {
    const response = await fetch(`${server.url}${path}?fieldManager=floor&force=true`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`floor PATCH ${path}: ${response.status}`);
  }
  const controller = new AbortController();
  const response = await fetch(
    `${server.url}/apis/apps/v1/namespaces/production/deployments?watch=1&fieldSelector=metadata.name%3D${app}`,
    { signal: controller.signal },
  );
  const decoder = new TextDecoder();
  let buffered = '';
  let complete = false;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    complete = lines.some((line) => {
      const status = (
        JSON.parse(line) as { object: { status?: { availableReplicas?: number; updatedReplicas?: number } } }
      ).object.status;
      return status?.availableReplicas === 2 && status.updatedReplicas === 2;
    });
    if (complete) break;
  }
  if (!complete) throw new Error('floor watch ended before the rollout was done');
  const elapsed = performance.now() - started;
  controller.abort();
  return elapsed;
}

export async function main(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const releases = option('releases', 200);
  const canaries = option('canaries', 50);

  const server = await startKubeApiServer({ podReadyDelayMs: 0, namespaces: ['production', 'monitoring'] });
  const config = new KubeConfig();
  config.loadFromString(server.kubeconfig);
  const target = new KubernetesTarget(new ClientNodeKubeClient(config));
  const runner = () =>
    new ReleaseRunner({ target, defaults: {}, journal: silent, deadlineAt: Date.now() + 60_000 });

  try {
    // Warm-up: connections, schema compilation, JIT.
    for (let i = 0; i < 10; i++) {
      await runner().deploy(release(`warm-${i}`, 'registry.local/warm:1', 'rolling', i));
      await floorOnce(server, `floor-warm-${i}`);
    }
    const deployer: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < releases; i++) {
      // Interleaved, so both see the same server state and machine load.
      const started = performance.now();
      await runner().deploy(release(`app-${i}`, 'registry.local/app:1', 'rolling', i));
      deployer.push(performance.now() - started);
      floor.push(await floorOnce(server, `floor-${i}`));
    }
    deployer.sort((a, b) => a - b);
    floor.sort((a, b) => a - b);

    for (let i = 0; i < canaries; i++)
      await runner().deploy(release(`shop-${i}`, 'registry.local/shop:1', 'rolling', 10_000 + i));
    const canaryStarted = performance.now();
    await Promise.all(
      Array.from({ length: canaries }, async (_, i) => {
        const canary = release(`shop-${i}`, 'registry.local/shop:2', 'canary', 20_000 + i);
        await runner().deploy(canary);
        await runner().promote(canary);
      }),
    );
    const canaryTotalMs = performance.now() - canaryStarted;
    const left = server
      .objects('Deployment', 'production')
      .filter((d) => /-(baseline|canary)$/.test(d.metadata.name ?? ''));
    if (left.length > 0) throw new Error(`${left.length} baseline/canary Deployments left after promotion`);

    const figures = {
      releases,
      releaseP50Ms: Number(percentile(deployer, 50).toFixed(2)),
      releaseP99Ms: Number(percentile(deployer, 99).toFixed(2)),
      floorP50Ms: Number(percentile(floor, 50).toFixed(2)),
      floorP99Ms: Number(percentile(floor, 99).toFixed(2)),
      ratioP50: Number((percentile(deployer, 50) / percentile(floor, 50)).toFixed(2)),
      ratioP99: Number((percentile(deployer, 99) / percentile(floor, 99)).toFixed(2)),
      concurrentCanaries: canaries,
      canaryTotalMs: Number(canaryTotalMs.toFixed(0)),
    };
    const rows: Array<[string, string]> = [
      [
        `rolling release (5 objects + rollout healthy), p50 / p99`,
        `${figures.releaseP50Ms} / ${figures.releaseP99Ms} ms`,
      ],
      [
        `floor: 5 bare apply PATCHes + 1 watch event, p50 / p99`,
        `${figures.floorP50Ms} / ${figures.floorP99Ms} ms`,
      ],
      ['deployer / floor, p50 / p99', `${figures.ratioP50}x / ${figures.ratioP99}x`],
      [`${canaries} concurrent canaries: deploy, promote, clean up`, `${figures.canaryTotalMs} ms total`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(
      `deployer benchmark (${releases} releases, Kubernetes API test server, zero-delay controller)`,
    );
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    console.log(
      JSON.stringify({
        bench: 'deployer',
        figures,
        goal: `a release (apply the five objects, rollout healthy) within ${GOAL_RATIO}x of the floor (five bare apply PATCHes plus one watch event), p50`,
        met: figures.ratioP50 <= GOAL_RATIO,
      }),
    );
  } finally {
    await server.close();
  }
}
