import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '@aviary/kube-apiserver';
import { eventually } from '@aviary/test-support';
import { StageFailure } from '../stages/stage-failure.js';
import { type StepSpec, type StopReason } from './executor.js';
import { KubernetesExecutor } from './kubernetes-executor.js';

/** The kubernetes executor through @kubernetes/client-node against the Kubernetes API test server. */
describe('kubernetes executor (API test server)', () => {
  let server: KubeApiServer;
  let executor: KubernetesExecutor;
  const dir = mkdtempSync(join(tmpdir(), 'aviary-k8s-'));

  beforeAll(async () => {
    server = await startKubeApiServer({
      namespaces: ['aviary-builds'],
      podReadyDelayMs: 20,
      failingImages: /:missing$/,
    });
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig);
    executor = new KubernetesExecutor(options());
  });
  const options = () => ({
    kubeconfig: join(dir, 'kubeconfig'),
    namespace: 'aviary-builds',
    defaultImage: 'node:24',
    workDir: '/var/lib/aviary',
    workspaceClaim: 'aviary-work',
    pollMs: 50,
    killGraceMs: 1000,
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `name`: `<execution>-<stage>-<attempt>`, as the stages name their steps. */
  function step(name: string, image: string, overrides: Partial<StepSpec> = {}) {
    const [executionId = '', stageId = '', attempt = '1'] = name.split('-');
    const output: string[] = [];
    const notes: string[] = [];
    const controller = new AbortController();
    const spec: StepSpec = {
      name,
      attempt: { executionId, stageId, attempt: Number(attempt) },
      command: 'npm test',
      cwd: '/var/lib/aviary/workspaces/e1',
      workspace: '/var/lib/aviary/workspaces/e1',
      env: { DATABASE_URL: 'postgres://db:5432/test', API_TOKEN: 'token-in-a-secret' },
      image,
      sideCars: [{ name: 'db', image: 'postgres:16', env: { POSTGRES_PASSWORD: 'pw' }, ports: [5432] }],
      signal: controller.signal,
      output: (_stream, chunk) => output.push(chunk.toString()),
      note: (text) => notes.push(text),
      ...overrides,
    };
    return { spec, output, notes, stop: (reason: StopReason) => controller.abort(reason) };
  }

  it('runs the step as a pod with its side-cars, streams its log, and reads the exit code from the container', async () => {
    server.setPodBehaviour({
      image: 'node:24-tests',
      behaviour: 'complete',
      runMs: 400,
      exitCode: 1,
      logs: ['> npm test', 'not ok 1 - adds'],
    });
    const s = step('e1-test-1', 'node:24-tests');
    const running = executor.run(s.spec);
    const pod = await eventually(() => {
      const [found] = server.objects('Pod', 'aviary-builds');
      if (!found) throw new Error('no pod yet');
      return found;
    });
    const spec = pod.spec as {
      containers: Array<Record<string, unknown>>;
      initContainers: Array<Record<string, unknown>>;
      hostAliases: unknown[];
      volumes: unknown[];
    };
    expect(spec.containers[0]).toMatchObject({
      name: 'step',
      image: 'node:24-tests',
      command: ['/bin/sh', '-c', 'npm test'],
      workingDir: '/var/lib/aviary/workspaces/e1',
      volumeMounts: [{ name: 'work', mountPath: '/var/lib/aviary' }],
    });
    expect(spec.initContainers[0]).toMatchObject({
      name: 'sidecar-db',
      image: 'postgres:16',
      restartPolicy: 'Always',
      ports: [{ containerPort: 5432 }],
    });
    expect(spec.hostAliases).toEqual([{ ip: '127.0.0.1', hostnames: ['db'] }]);
    expect(spec.volumes).toEqual([{ name: 'work', persistentVolumeClaim: { claimName: 'aviary-work' } }]);
    // The environment (and its secrets) is in a Secret, not in the pod.
    expect(JSON.stringify(pod)).not.toContain('token-in-a-secret');
    expect(server.objects('Secret', 'aviary-builds')).toHaveLength(1);

    expect(await running).toEqual({ exitCode: 1 });
    expect(s.output.join('')).toBe('> npm test\nnot ok 1 - adds\n');
    expect(server.objects('Pod', 'aviary-builds')).toEqual([]);
    expect(server.objects('Secret', 'aviary-builds')).toEqual([]);
  });

  it('deletes the pod when the step is cancelled', async () => {
    server.setPodBehaviour({
      image: 'node:24-slow',
      behaviour: 'complete',
      runMs: 60_000,
      logs: ['working'],
    });
    const s = step('e1-slow-1', 'node:24-slow');
    const running = executor.run(s.spec);
    await eventually(() =>
      expect(server.objects('Pod', 'aviary-builds')[0]?.status).toMatchObject({ phase: 'Running' }),
    );
    s.stop({ kind: 'cancelled', reason: 'by alice' });
    expect(await running).toEqual({ exitCode: null, stopped: { kind: 'cancelled', reason: 'by alice' } });
    expect(s.notes.join('\n')).toContain('cancelled (by alice): deleting pod');
    expect(server.objects('Pod', 'aviary-builds')).toEqual([]);
  });

  it('deletes the pod an earlier attempt left running (its builder was killed) before running the new attempt', async () => {
    server.setPodBehaviour({
      image: 'node:24-slow',
      behaviour: 'complete',
      runMs: 60_000,
      logs: ['working'],
    });
    server.setPodBehaviour({ image: 'node:24-quick', behaviour: 'complete', runMs: 100, logs: ['done'] });
    // The killed builder's attempt 1: its pod runs on, nobody stops it.
    const killed = step('e2-build-1', 'node:24-slow');
    const orphan = executor.run(killed.spec).catch((error: unknown) => error);
    await eventually(() =>
      expect(server.objects('Pod', 'aviary-builds')[0]?.status).toMatchObject({ phase: 'Running' }),
    );
    // Another stage's pod of the same execution, and the same stage of another execution, stay.
    const otherStage = step('e2-test-1', 'node:24-slow');
    const otherExecution = step('e3-build-1', 'node:24-slow');
    const others = [otherStage, otherExecution].map((s) => executor.run(s.spec));
    await eventually(() => expect(server.objects('Pod', 'aviary-builds')).toHaveLength(3));

    const retried = step('e2-build-2', 'node:24-quick');
    expect(await new KubernetesExecutor(options()).run(retried.spec)).toEqual({ exitCode: 0 });
    expect(retried.notes.join('\n')).toMatch(
      /deleted pod aviary-e2-build-1-\w+ of attempt 1: its builder stopped/,
    );
    const left = server.objects('Pod', 'aviary-builds').map((pod) => pod.metadata.name);
    expect(left).toHaveLength(2);
    expect(left.some((name) => name?.startsWith('aviary-e2-build'))).toBe(false);
    expect(server.objects('Secret', 'aviary-builds')).toHaveLength(2);

    otherStage.stop({ kind: 'cancelled', reason: 'test over' });
    otherExecution.stop({ kind: 'cancelled', reason: 'test over' });
    killed.stop({ kind: 'cancelled', reason: 'test over' });
    await Promise.all([...others, orphan]);
  });

  it('fails with the reason when the step image cannot be pulled', async () => {
    const error = await executor.run(step('e1-pull-1', 'node:missing').spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageFailure);
    expect((error as Error).message).toContain("the step's pod cannot start: ImagePullBackOff");
    expect(server.objects('Pod', 'aviary-builds')).toEqual([]);
  });
});
