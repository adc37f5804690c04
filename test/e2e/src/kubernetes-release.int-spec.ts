import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  eventually,
  Platform,
  pushNodeBaseImage,
  startRegistry,
  type RecordedEvent,
  type TestRegistry,
} from '@aviary/test-support';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
// The demo's pieces, built: its API client, the sample app's repository and the signed push.
import { AviaryApi, type ExecutionState } from '@aviary/standalone/demo/aviary-api';
import { watchExecution } from '@aviary/standalone/demo/execution-watch';
import { githubPush } from '@aviary/standalone/demo/github-push';
import { SampleRepository, type Commit } from '@aviary/standalone/demo/sample-repository';
import { expectStagesInOrder, releaseRows, stageStatuses } from './execution-checks.js';
import { KubeApiProcess, type KubeObject } from './kube-api-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const APP = 'sample-app';

/**
 * Checkout, image build and push, and a rolling deploy of two replicas to the production cluster.
 * `repository` names the image: the cluster crash-loops the pods of `sample-app-crashing` images,
 * whose rollout is given a short progress deadline.
 */
const pipeline = (repository: string, progressDeadlineSeconds?: number) => `name: ${APP}
stages:
  - id: checkout
    type: checkout
  - id: build
    type: build-image
    repository: ${repository}
    tag: \${trigger.sha}
  - id: deploy-production
    type: deploy
    environment: production
    image: \${stages.build.outputs.imageUrl}
    strategy: rolling
    replicas: 2
    servicePath: flags
    env:
      NODE_ENV: production
${progressDeadlineSeconds === undefined ? '' : `    overrides:\n      progressDeadlineSeconds: ${progressDeadlineSeconds}\n`}`;
const CRASHING = `${APP}-crashing`;

/**
 * The distributed platform with a Kubernetes cluster as its production target (the Kubernetes API
 * test server in its own process, reached through a kubeconfig as a cluster is): two pushes of the
 * sample app, each built, pushed to the registry and rolled out to production. What the cluster holds
 * afterwards (Deployment, Service, HPA, Ingress, ServiceMonitor, pods) and every move of the release
 * state machine are checked.
 */
describe('a rolling release to a Kubernetes production target', () => {
  let registry: TestRegistry;
  let kube: KubeApiProcess;
  let platform: Platform;
  let api: AviaryApi;
  let repository: SampleRepository;
  let work: string;
  const secret = randomBytes(24).toString('base64url');
  const progress: string[] = [];
  const pushes: Array<{ commit: Commit; execution: ExecutionState }> = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'aviary-e2e-kube-'));
    registry = await startRegistry();
    const baseImage = pushNodeBaseImage(registry.host);
    kube = await KubeApiProcess.start(join(work, 'kubeconfig.yaml'), {
      podReadyDelayMs: 200,
      crashingImages: `/${CRASHING}:`,
    });
    for (const namespace of ['production', 'monitoring']) await kube.createNamespace(namespace);
    platform = await Platform.start({
      serviceEnv: {
        builder: {
          BUILDER_WORK_DIR: join(work, 'builder'),
          BUILDER_REGISTRY: registry.host,
          BUILDER_BASE_IMAGE: baseImage,
        },
        deployer: {
          DEPLOYER_TARGETS: JSON.stringify({
            production: { kind: 'kubernetes', kubeconfig: kube.kubeconfig },
            '*': { kind: 'local' },
          }),
        },
      },
    });
    api = new AviaryApi(platform.gatewayUrl, platform.adminToken);
    repository = await SampleRepository.create(join(root, 'examples', 'sample-app'), process.env['PATH']);
    await repository.edit('.aviary/pipeline.yaml', () => pipeline(APP));
    await api.createApplication({
      name: APP,
      provider: 'github',
      repositoryUrl: repository.url,
      defaultBranch: 'main',
      webhookSecret: secret,
    });
    try {
      await release(await repository.commit('sample-app: first release, to the cluster'));
      await repository.edit('README.md', (text) => `${text}\nRunning on Kubernetes.\n`);
      await release(await repository.commit('sample-app: a second version, rolled out'));
      await repository.edit('.aviary/pipeline.yaml', () => pipeline(CRASHING, 8));
      await release(await repository.commit('sample-app: a version that crashes at start'));
    } catch (error) {
      throw new Error(
        `the releases did not complete: ${String(error)}\n\n${progress.join('\n')}\n\n` +
          `----- kube-apiserver\n${kube.tail()}\n${platform.logs(4_000)}`,
        { cause: error },
      );
    }
  }, 8 * 60_000);

  afterAll(async () => {
    await repository?.remove();
    await platform?.stop();
    await kube?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  async function release(commit: Commit): Promise<void> {
    const before = pushes.at(-1)?.commit.sha ?? '0'.repeat(40);
    await api.sendWebhook(
      githubPush({
        repositoryUrl: repository.url,
        fullName: `e2e/${APP}`,
        branch: 'main',
        before,
        commit,
        pusher: 'ada',
        secret,
      }),
    );
    const executionId = await executionOf(commit.sha);
    const { execution } = await watchExecution(
      api,
      executionId,
      { line: (text) => progress.push(text), status: () => undefined },
      { analysis: { lifetime: '0s', interval: '0s', delay: '0s', step: '1s' }, timeoutMs: 3 * 60_000 },
    );
    pushes.push({ commit, execution });
  }

  async function executionOf(sha: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = (await api.executions(APP)).find((execution) => execution.sha === sha);
      if (found) return found.executionId;
      if (Date.now() > deadline) throw new Error(`no execution started for ${sha} within 60 s`);
      await sleep(300);
    }
  }

  const imageOf = (index: number) =>
    String(pushes[index]!.execution.stages.find((stage) => stage.stageId === 'build')?.outputs['imageUrl']);

  it('runs checkout, build and the deploy in order, each push', () => {
    for (const { execution } of pushes.slice(0, 2)) {
      expect(execution.status).toBe('SUCCEEDED');
      expect(stageStatuses(execution)).toEqual({
        checkout: 'SUCCEEDED',
        build: 'SUCCEEDED',
        'deploy-production': 'SUCCEEDED',
      });
      expectStagesInOrder(execution, ['checkout', 'build', 'deploy-production']);
    }
    expect(imageOf(0)).toMatch(new RegExp(`^${registry.host}/${APP}:${pushes[0]!.commit.sha}@sha256:`));
    expect(deployOutputs(1)).toMatchObject({ image: imageOf(1), previousImage: imageOf(0) });
  });

  it('fails the release whose pods crash, saying why, and puts production back', async () => {
    const { execution } = pushes[2]!;
    expect(execution.status).toBe('FAILED');
    expect(stageStatuses(execution)).toEqual({
      checkout: 'SUCCEEDED',
      build: 'SUCCEEDED',
      'deploy-production': 'FAILED',
    });
    const deploy = execution.stages.find((stage) => stage.stageId === 'deploy-production');
    expect(deploy?.reason).toMatch(/CrashLoopBackOff/);
    const deployment = await kube.get(`/apis/apps/v1/namespaces/production/deployments/${APP}`);
    const spec = deployment?.spec as { template: { spec: { containers: Array<{ image: string }> } } };
    expect(spec.template.spec.containers.map((container) => container.image)).toEqual([imageOf(1)]);
  });

  it('leaves the Deployment on the second image, rolled out and ready, labelled with its version', async () => {
    const deployment = await kube.get(`/apis/apps/v1/namespaces/production/deployments/${APP}`);
    // The version label is the image's tag: the commit's sha, which the builder tags the image with.
    const version = /:([^:@/]+)@sha256:/.exec(imageOf(1))![1]!;
    const labels = { app: APP, 'aviary.dev/track': 'stable', 'aviary.dev/version': version };
    expect(deployment?.metadata.labels).toMatchObject(labels);
    const spec = deployment?.spec as {
      replicas: number;
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: Array<{ image: string }> };
      };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.template.metadata.labels).toMatchObject(labels);
    expect(deployment?.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2 });
    await eventually(async () => {
      const pods = await kube.list(
        `/api/v1/namespaces/production/pods?labelSelector=${encodeURIComponent(`app=${APP}`)}`,
      );
      expect(pods.map((pod) => pod.metadata.labels?.['aviary.dev/version'])).toEqual([version, version]);
    }, 15_000);
  });

  it('gives it a Service, an HPA, an Ingress on its path and a ServiceMonitor', async () => {
    const service = await kube.get(`/api/v1/namespaces/production/services/${APP}`);
    expect(service?.spec).toMatchObject({
      selector: { app: APP },
      ports: [{ port: 80, targetPort: 'http' }],
    });
    const hpa = await kube.get(`/apis/autoscaling/v2/namespaces/production/horizontalpodautoscalers/${APP}`);
    expect(hpa?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: APP } });
    const ingress = await kube.get(`/apis/networking.k8s.io/v1/namespaces/production/ingresses/${APP}`);
    expect(JSON.stringify(ingress?.spec)).toContain('"path":"/flags"');
    const monitor = await kube.get(
      `/apis/monitoring.coreos.com/v1/namespaces/monitoring/servicemonitors/${APP}`,
    );
    expect(monitor?.spec).toMatchObject({ selector: { matchLabels: { app: APP } } });
    for (const object of [service, hpa, ingress, monitor] as KubeObject[])
      expect(object.metadata.labels?.['app']).toBe(APP);
  });

  it('moves each release through the state machine, as stored and as announced', async () => {
    expect(await releaseRows(platform, APP)).toEqual([
      { environment: 'production', version: pushes[0]!.commit.sha, state: 'healthy' },
      { environment: 'production', version: pushes[1]!.commit.sha, state: 'healthy' },
      { environment: 'production', version: pushes[2]!.commit.sha, state: 'failed' },
    ]);
    const events = await platform.events('aviary.evt.deployer.release-changed.v1');
    const moves = pushes.map(({ execution }) =>
      events
        .filter((event: RecordedEvent) => event.data['executionId'] === execution.executionId)
        .map((event) => ({
          target: event.data['target'],
          state: event.data['state'],
          detail: String(event.data['detail']),
        })),
    );
    const requested = {
      target: 'kubernetes',
      state: 'requested',
      detail: expect.stringMatching(/^rolling release of .* requested$/),
    };
    const healthy = [
      requested,
      { target: 'kubernetes', state: 'deploying', detail: expect.stringContaining('rolling release of') },
      { target: 'kubernetes', state: 'healthy', detail: expect.any(String) },
    ];
    expect(moves).toEqual([
      healthy,
      healthy,
      [
        requested,
        healthy[1],
        { target: 'kubernetes', state: 'failed', detail: expect.stringContaining('CrashLoopBackOff') },
        // Then the cleanup the failure owed: production restored.
        { target: 'kubernetes', state: 'failed', detail: 'failed: cleanup done' },
      ],
    ]);
  });

  function deployOutputs(index: number): Record<string, unknown> | undefined {
    return pushes[index]!.execution.stages.find((stage) => stage.stageId === 'deploy-production')?.outputs;
  }
});
