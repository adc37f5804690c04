import { Writable } from 'node:stream';
import { CoreV1Api, KubeConfig, Log, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';
import { StageFailure } from '../stages/stage-failure.js';
import { describeStop, type StepExecutor, type StepResult, type StepSpec, stopReasonOf } from './executor.js';
import { attemptLabels, stepPod, type StepPodOptions } from './step-pod.js';

export interface KubernetesExecutorOptions extends StepPodOptions {
  /** A kubeconfig file; without it the in-cluster service account, else ~/.kube/config. */
  kubeconfig?: string;
  /** How often the pod's status is read while it starts and ends. */
  pollMs?: number;
  killGraceMs?: number;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const STUCK = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

function stepStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((status) => status.name === 'step');
}

/**
 * Steps as pods (the Jenkins Kubernetes plugin's way): one pod per step from {@link stepPod}, its log
 * streamed as it runs, its exit code read from the step container's status, the pod and its Secret
 * deleted afterwards; on cancel or timeout the pod is deleted at once (its processes go with it).
 */
export class KubernetesExecutor implements StepExecutor {
  readonly kind = 'kubernetes' as const;
  private readonly config: KubeConfig;
  private readonly core: CoreV1Api;

  constructor(private readonly options: KubernetesExecutorOptions) {
    this.config = new KubeConfig();
    if (options.kubeconfig) this.config.loadFromFile(options.kubeconfig);
    else this.config.loadFromDefault();
    this.core = this.config.makeApiClient(CoreV1Api);
  }

  async run(step: StepSpec): Promise<StepResult> {
    const { namespace } = this.options;
    const { pod, secret } = stepPod(step, this.options);
    const name = pod.metadata!.name!;
    if (!this.options.workspaceClaim)
      step.note('BUILDER_K8S_WORKSPACE_CLAIM is not set: the step pod gets an empty workspace');
    await this.removeEarlierAttempts(step);
    await this.core.createNamespacedSecret({ namespace, body: secret });
    let logs: AbortController | undefined;
    let streamed: Promise<void> = Promise.resolve();
    try {
      await this.core.createNamespacedPod({ namespace, body: pod });
      step.note(`pod ${namespace}/${name} created (image ${pod.spec!.containers[0]!.image})`);
      const started = await this.until(
        step,
        name,
        (status) => status?.state?.running !== undefined || status?.state?.terminated !== undefined,
      );
      if (!started) return this.stopped(step, name);
      streamed = new Promise<void>((resolve) => {
        const sink = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            step.output('stdout', chunk);
            callback();
          },
          final(callback) {
            resolve();
            callback();
          },
        });
        sink.on('error', () => resolve());
        new Log(this.config).log(namespace, name, 'step', sink, { follow: true }).then(
          (controller) => (logs = controller),
          () => resolve(),
        );
      });
      const ended = await this.until(step, name, (status) => status?.state?.terminated !== undefined);
      if (!ended) return this.stopped(step, name);
      await Promise.race([streamed, delay(2000)]);
      const terminated = ended.state!.terminated!;
      return {
        exitCode: terminated.exitCode,
        ...(terminated.signal ? { signal: String(terminated.signal) } : {}),
      };
    } finally {
      const gracePeriodSeconds = Math.ceil((this.options.killGraceMs ?? 5000) / 1000);
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds }).catch(() => undefined);
      await this.core
        .deleteNamespacedSecret({ name: secret.metadata!.name!, namespace })
        .catch(() => undefined);
      // The log stream ends with its pod; one that does not is cut.
      await Promise.race([streamed, delay(gracePeriodSeconds * 1000 + 1000)]);
      try {
        logs?.abort();
      } catch {
        // client-node's stream reports the abort as an error event nobody listens to.
      }
    }
  }

  /**
   * A builder killed outright (SIGKILL, a lost node) leaves its step pod running; its attempt is run
   * again as a new one, here or on another builder. So that the stage's work is not done twice side
   * by side, the pods (and Secrets) of the stage's earlier attempts go first.
   */
  private async removeEarlierAttempts(step: StepSpec): Promise<void> {
    const { namespace } = this.options;
    const labels = attemptLabels(step);
    const pods = await this.core.listNamespacedPod({
      namespace,
      labelSelector: ['aviary.dev/execution', 'aviary.dev/stage']
        .map((key) => `${key}=${labels[key]}`)
        .join(','),
    });
    for (const pod of pods.items) {
      const name = pod.metadata?.name;
      const attempt = Number(pod.metadata?.labels?.['aviary.dev/attempt']);
      if (!name || !(attempt < step.attempt.attempt)) continue;
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
      await this.core.deleteNamespacedSecret({ name: `${name}-env`, namespace }).catch(() => undefined);
      step.note(`deleted pod ${name} of attempt ${attempt}: its builder stopped without deleting it`);
    }
  }

  private stopped(step: StepSpec, name: string): StepResult {
    step.note(`${describeStop(stopReasonOf(step.signal))}: deleting pod ${name}`);
    return { exitCode: null, stopped: stopReasonOf(step.signal) };
  }

  /** Polls the step container's status until `done`; undefined when the step was stopped first. */
  private async until(
    step: StepSpec,
    name: string,
    done: (status: V1ContainerStatus | undefined) => boolean,
  ): Promise<V1ContainerStatus | undefined> {
    for (;;) {
      if (step.signal.aborted) return undefined;
      const pod = await this.core.readNamespacedPod({ name, namespace: this.options.namespace });
      const status = stepStatus(pod);
      if (done(status)) return status;
      const waiting = status?.state?.waiting;
      if (waiting?.reason && STUCK.has(waiting.reason))
        throw new StageFailure(
          'pod-failed',
          `the step's pod cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 500);
        step.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}
