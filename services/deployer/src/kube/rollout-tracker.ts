import { type V1Deployment } from '@kubernetes/client-node';
import { type KubeClient, type WatchHandle } from './kube-client.js';
import { podProblem, rolloutStatus } from './rollout-status.js';

/** A rollout that cannot become healthy, with the reason seen on its pods. */
export class RolloutFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutFailedError';
  }
}

/** Work stopped by a cancel (or a newer release). */
export class AbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(String(signal.reason ?? 'aborted'));
}

export interface RolloutWait {
  namespace: string;
  name: string;
  /** The stage's deadline: past it, the rollout fails with what the pods say. */
  deadlineAt: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

type Outcome = 'complete' | 'stalled' | 'deadline' | 'aborted' | 'watch-ended' | 'gone';

/**
 * Follows a Deployment's rollout by watch until it is complete, stalls (progress deadline) or the
 * stage deadline passes. A dropped watch (or a 410 Gone) is resumed from a fresh read.
 */
export async function awaitRollout(kube: KubeClient, wait: RolloutWait): Promise<void> {
  const { namespace, name, signal } = wait;
  let lastMessage = '';
  const report = (message: string) => {
    if (message !== lastMessage) wait.onProgress?.(message);
    lastMessage = message;
  };
  for (;;) {
    throwIfAborted(signal);
    const current = await kube.readDeployment(namespace, name);
    if (!current) throw new RolloutFailedError(`Deployment ${namespace}/${name} is gone`);
    let latest: V1Deployment = current;
    const first = rolloutStatus(current);
    if (first.phase === 'complete') return;
    if (first.phase === 'stalled') throw await failure(kube, latest, first.message);
    report(first.message);

    let settle: (outcome: Outcome) => void = () => undefined;
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    const timer = setTimeout(() => settle('deadline'), Math.max(0, wait.deadlineAt - Date.now()));
    const onAbort = () => settle('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while reading: the event has fired already.
    if (signal?.aborted) settle('aborted');
    let handle: WatchHandle | undefined;
    try {
      handle = await kube.watchDeployment(namespace, name, current.metadata?.resourceVersion, (event) => {
        if (event.type === 'DELETED') return settle('gone');
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return settle('watch-ended');
        latest = event.object;
        const status = rolloutStatus(event.object);
        if (status.phase === 'progressing') report(status.message);
        else settle(status.phase);
      });
      void handle.done.then(() => settle('watch-ended'));
      const result = await outcome;
      switch (result) {
        case 'complete':
          return;
        case 'stalled':
          throw await failure(kube, latest, 'progress deadline exceeded');
        case 'deadline':
          throw await failure(kube, latest, `not healthy before the stage deadline (${lastMessage})`);
        case 'aborted':
          throw new AbortedError(String(signal?.reason ?? 'aborted'));
        case 'gone':
          throw new RolloutFailedError(`Deployment ${namespace}/${name} was deleted during the rollout`);
        case 'watch-ended':
          break;
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      handle?.stop();
    }
  }
}

async function failure(kube: KubeClient, deployment: V1Deployment, why: string): Promise<RolloutFailedError> {
  const { namespace = '', name = '' } = deployment.metadata ?? {};
  const labels = deployment.spec?.selector.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = selector ? await kube.pods(namespace, selector).catch(() => []) : [];
  const problem = podProblem(pods);
  return new RolloutFailedError(
    `rollout of Deployment ${namespace}/${name} failed: ${problem ?? why}${problem ? ` (${why})` : ''}`,
  );
}
