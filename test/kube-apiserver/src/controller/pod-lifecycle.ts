import { kubeTime } from '../json.js';
import { PODS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';
import type { PodBehaviourDecision, PodBehaviours } from './pod-behaviour.js';
import type { Timers } from './work-queue.js';

type ContainerState = 'creating' | 'pullBackOff' | 'crashLoop' | 'running' | 'terminated';

interface Container {
  name: string;
  image?: string;
}

let nextPodIp = 1;

/**
 * What the kubelet would report for each pod: Pending, then running and (after the configured delay)
 * ready, or stuck in ImagePullBackOff, or in CrashLoopBackOff with a growing restart count, or running
 * but never ready, as its PodBehaviour says.
 */
export class PodLifecycle {
  constructor(
    private readonly store: ObjectStore,
    private readonly behaviours: PodBehaviours,
    private readonly timers: Timers,
    private readonly crashLoopRestartIntervalMs: number,
  ) {}

  started(pod: KubeObject): void {
    const decision = this.behaviours.decide(pod);
    const key = this.key(pod);
    const ip = `10.244.${Math.floor(nextPodIp / 250)}.${(nextPodIp++ % 250) + 1}`;
    const startTime = kubeTime();
    const write = (state: ContainerState, ready: boolean, restarts = 0) =>
      this.writeStatus(
        pod,
        statusOf(pod, { state, ready, restarts, ip, startTime, exitCode: decision.exitCode }),
      );
    write('creating', false);
    this.timers.set(key, 0, () => this.progress(pod, decision, write));
  }

  stopped(pod: KubeObject): void {
    this.timers.clearPrefix(this.key(pod));
  }

  private progress(
    pod: KubeObject,
    { behaviour, readyDelayMs, runMs }: PodBehaviourDecision,
    write: (state: ContainerState, ready: boolean, restarts?: number) => void,
  ): void {
    const key = this.key(pod);
    switch (behaviour) {
      case 'complete':
        write('running', true);
        this.timers.set(`${key}/complete`, runMs, () => write('terminated', false));
        return;
      case 'imagePullBackOff':
        write('pullBackOff', false);
        return;
      case 'unready':
        write('running', false);
        return;
      case 'crashLoopBackOff': {
        let restarts = 1;
        write('crashLoop', false, restarts);
        this.timers.set(
          `${key}/restart`,
          this.crashLoopRestartIntervalMs,
          () => write('crashLoop', false, ++restarts),
          true,
        );
        return;
      }
      case 'ready':
        if (readyDelayMs <= 0) {
          write('running', true);
          return;
        }
        write('running', false);
        this.timers.set(`${key}/ready`, readyDelayMs, () => write('running', true));
    }
  }

  private writeStatus(pod: KubeObject, status: Record<string, unknown>): void {
    const current = this.store.get(PODS, pod.metadata.namespace, pod.metadata.name!);
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    this.store.update(PODS, { ...current, status });
  }

  private key(pod: KubeObject): string {
    return `pod/${pod.metadata.uid}`;
  }
}

function containerStatus(
  container: Container,
  state: ContainerState,
  ready: boolean,
  restarts: number,
  startedAt: string,
  exitCode: number,
) {
  const base = { name: container.name, image: container.image, imageID: '', ready, restartCount: restarts };
  switch (state) {
    case 'creating':
      return { ...base, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
    case 'pullBackOff':
      return {
        ...base,
        started: false,
        state: {
          waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` },
        },
      };
    case 'crashLoop':
      return {
        ...base,
        started: false,
        containerID: `containerd://${container.name}-${restarts}`,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 10s restarting failed container=${container.name}`,
          },
        },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: kubeTime() } },
      };
    case 'terminated':
      return {
        ...base,
        imageID: `${container.image}@sha256:0`,
        started: false,
        containerID: `containerd://${container.name}`,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt,
            finishedAt: kubeTime(),
            containerID: `containerd://${container.name}`,
          },
        },
      };
    case 'running':
      return {
        ...base,
        imageID: `${container.image}@sha256:0`,
        started: true,
        containerID: `containerd://${container.name}`,
        state: { running: { startedAt } },
      };
  }
}

function statusOf(
  pod: KubeObject,
  s: {
    state: ContainerState;
    ready: boolean;
    restarts: number;
    ip: string;
    startTime: string;
    exitCode: number;
  },
): Record<string, unknown> {
  const containers = (pod.spec as { containers?: Container[] }).containers ?? [];
  const now = kubeTime();
  const notReady = containers.map((c) => c.name).join(' ');
  const readyCondition = (type: string) =>
    s.ready
      ? { type, status: 'True', lastProbeTime: null, lastTransitionTime: now }
      : {
          type,
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: s.startTime,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${notReady}]`,
        };
  return {
    phase:
      s.state === 'creating' || s.state === 'pullBackOff'
        ? 'Pending'
        : s.state === 'terminated'
          ? s.exitCode === 0
            ? 'Succeeded'
            : 'Failed'
          : 'Running',
    conditions: [
      {
        type: 'PodReadyToStartContainers',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: s.startTime,
      },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: s.startTime },
      readyCondition('Ready'),
      readyCondition('ContainersReady'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: s.startTime },
    ],
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    podIP: s.ip,
    podIPs: [{ ip: s.ip }],
    startTime: s.startTime,
    containerStatuses: containers.map((c) =>
      containerStatus(c, s.state, s.ready, s.restarts, s.startTime, s.exitCode),
    ),
    qosClass: 'BestEffort',
  };
}
