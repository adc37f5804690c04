import { badRequest } from '../api/errors.js';
import type { KubeObject } from '../resources/kube-object.js';

export interface PodLogContext {
  namespace: string;
  pod: string;
  container: string;
  /** 0 for the first line a container writes. */
  index: number;
}

/** Makes the n-th log line of a container. */
export type PodLogGenerator = (context: PodLogContext) => string;

export const defaultPodLogs: PodLogGenerator = ({ pod, container, index }) =>
  `${pod}/${container}: log line ${index + 1}`;

interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: unknown };
}

/**
 * Which container's log a request reads, refused as the kubelet refuses it: a container name is needed
 * when a pod has several, and a container that never started has no log.
 */
export function logContainer(pod: KubeObject, requested: string | null): string {
  const containers = ((pod.spec as { containers?: Array<{ name: string }> }).containers ?? []).map(
    (c) => c.name,
  );
  const podName = pod.metadata.name!;
  const container = requested ?? (containers.length === 1 ? containers[0]! : undefined);
  if (container === undefined) {
    throw badRequest(
      `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`,
    );
  }
  if (!containers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  const status = (
    (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? []
  ).find((c) => c.name === container);
  const waiting = status?.state?.waiting?.reason;
  if (!status || waiting === 'ContainerCreating') {
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  }
  if (waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull') {
    throw badRequest(
      `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`,
    );
  }
  return container;
}

/** How many lines a container has written by now: a first batch at start, then one per interval. */
export function linesWritten(
  pod: KubeObject,
  options: { initialLines: number; intervalMs: number },
  now = Date.now(),
): number {
  const started = Date.parse((pod.status as { startTime?: string } | undefined)?.startTime ?? '') || now;
  return options.initialLines + Math.max(0, Math.floor((now - started) / options.intervalMs));
}
