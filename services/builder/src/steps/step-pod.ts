import { createHash } from 'node:crypto';
import { type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { type StepSpec } from './executor.js';

export interface StepPodOptions {
  namespace: string;
  defaultImage: string;
  /** The builder's work folder, mounted at the same path so that paths mean the same in the pod. */
  workDir: string;
  workspaceClaim?: string;
}

function label(value: string): string {
  return (
    value
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
      .slice(0, 63) || 'x'
  );
}

/** What a step pod of a stage attempt is labelled with (and found by): its stage, its attempt. */
export function attemptLabels(step: Pick<StepSpec, 'attempt'>): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'aviary',
    'aviary.dev/execution': label(step.attempt.executionId),
    'aviary.dev/stage': label(step.attempt.stageId),
    'aviary.dev/attempt': String(step.attempt.attempt),
  };
}

export function podNameOf(step: StepSpec): string {
  const hash = createHash('sha256').update(step.name).digest('hex').slice(0, 10);
  const readable = step.name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 40)
    .replace(/^-|-$/g, '');
  return `aviary-${readable}-${hash}`.replace(/--+/g, '-');
}

/**
 * The pod of a step, like a Jenkins Kubernetes plugin pod template: the step's image running
 * `sh -c <command>` in the workspace, its side-cars as native side-car containers (init containers
 * that keep running, so the pod completes when the step does) reachable by their names
 * (`hostAliases` to 127.0.0.1, their own ports), and its environment from a Secret rather than the
 * pod spec, so that step secrets are not readable by whoever can read pods.
 */
export function stepPod(step: StepSpec, options: StepPodOptions): { pod: V1Pod; secret: V1Secret } {
  const name = podNameOf(step);
  const labels = { ...attemptLabels(step), 'aviary.dev/step': label(step.name) };
  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${name}-env`, namespace: options.namespace, labels },
    type: 'Opaque',
    stringData: step.env,
  };
  const volumeMounts = [{ name: 'work', mountPath: options.workDir }];
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace, labels },
    spec: {
      restartPolicy: 'Never',
      ...(step.sideCars.length > 0
        ? { hostAliases: [{ ip: '127.0.0.1', hostnames: step.sideCars.map((sideCar) => sideCar.name) }] }
        : {}),
      initContainers: step.sideCars.map((sideCar) => ({
        name: `sidecar-${sideCar.name}`
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 63),
        image: sideCar.image,
        restartPolicy: 'Always',
        env: Object.entries(sideCar.env).map(([envName, value]) => ({ name: envName, value })),
        ports: sideCar.ports.map((containerPort) => ({ containerPort })),
      })),
      containers: [
        {
          name: 'step',
          image: step.image ?? options.defaultImage,
          command: ['/bin/sh', '-c', step.command],
          workingDir: step.cwd,
          envFrom: [{ secretRef: { name: secret.metadata!.name! } }],
          volumeMounts,
        },
      ],
      volumes: [
        options.workspaceClaim
          ? { name: 'work', persistentVolumeClaim: { claimName: options.workspaceClaim } }
          : { name: 'work', emptyDir: {} },
      ],
    },
  };
  return { pod, secret };
}
