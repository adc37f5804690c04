import { type V1Deployment, type V1Pod } from '@kubernetes/client-node';

export type RolloutStatus =
  { phase: 'complete' } | { phase: 'progressing'; message: string } | { phase: 'stalled'; message: string };

/**
 * Where a Deployment's rollout stands, as `kubectl rollout status` judges it: complete once the
 * controller has seen this generation and every replica is updated and available with no old one
 * left; stalled once the `Progressing` condition says the progress deadline passed.
 */
export function rolloutStatus(deployment: V1Deployment): RolloutStatus {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  const desired = deployment.spec?.replicas ?? 1;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { phase: 'stalled', message: progressing.message ?? 'progress deadline exceeded' };
  if ((status.observedGeneration ?? 0) < generation)
    return { phase: 'progressing', message: 'waiting for the controller to see the new generation' };
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired)
    return { phase: 'progressing', message: `${updated} of ${desired} replicas updated` };
  if (total > updated)
    return { phase: 'progressing', message: `${total - updated} old replicas pending termination` };
  if (available < updated)
    return { phase: 'progressing', message: `${available} of ${updated} updated replicas available` };
  return { phase: 'complete' };
}

/**
 * What the pods say is wrong, for a rollout that cannot finish: an image that cannot be pulled, a
 * container that keeps crashing, or one that runs but never passes its readiness check.
 */
export function podProblem(pods: V1Pod[]): string | undefined {
  const found: string[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
        const restarts = container.restartCount ? ` after ${container.restartCount} restarts` : '';
        const exit = container.lastState?.terminated?.exitCode;
        found.push(
          `${waiting.reason}${restarts}: ${waiting.message ?? ''}${exit !== undefined ? ` (last exit code ${exit})` : ''} (pod ${name})`
            .replace(': (', ' (')
            .trim(),
        );
      } else if (container.state?.running && !container.ready) {
        found.push(
          `readiness probe failing: container ${container.name} runs but is not ready (pod ${name})`,
        );
      }
    }
  }
  const unique = [...new Set(found.map((line) => line.replace(/ \(pod [^)]+\)$/, '')))];
  if (unique.length === 0) return undefined;
  const first = found.find((line) => line.startsWith(unique[0]!))!;
  return unique.length === 1 ? first : `${first}; and ${unique.slice(1).join('; ')}`;
}
