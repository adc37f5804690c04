import { describe, expect, it } from '@jest/globals';
import { type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { podProblem, rolloutStatus } from './rollout-status.js';

const deployment = (status: V1Deployment['status'], generation = 2, replicas = 2): V1Deployment => ({
  metadata: { name: 'api', generation },
  spec: { replicas, selector: {}, template: {} },
  status,
});

const pod = (name: string, container: NonNullable<V1Pod['status']>['containerStatuses']): V1Pod => ({
  metadata: { name },
  status: { containerStatuses: container },
});

describe('rollout status', () => {
  it('is complete when this generation is observed and every replica is updated and available', () => {
    expect(
      rolloutStatus(
        deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      ),
    ).toEqual({ phase: 'complete' });
  });

  it('is progressing until then, saying what it waits for', () => {
    expect(rolloutStatus(deployment({ observedGeneration: 1 }))).toEqual({
      phase: 'progressing',
      message: 'waiting for the controller to see the new generation',
    });
    expect(rolloutStatus(deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 }))).toEqual({
      phase: 'progressing',
      message: '1 of 2 replicas updated',
    });
    expect(rolloutStatus(deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 3 }))).toEqual({
      phase: 'progressing',
      message: '1 old replicas pending termination',
    });
    expect(
      rolloutStatus(
        deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
      ),
    ).toEqual({ phase: 'progressing', message: '1 of 2 updated replicas available' });
  });

  it('is stalled once the progress deadline passed', () => {
    const status = rolloutStatus(
      deployment({
        observedGeneration: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "api-1" has timed out progressing.',
          },
        ],
      }),
    );
    expect(status).toEqual({ phase: 'stalled', message: 'ReplicaSet "api-1" has timed out progressing.' });
  });

  it('a Deployment scaled to zero is complete with no pods', () => {
    expect(rolloutStatus(deployment({ observedGeneration: 3 }, 3, 0))).toEqual({ phase: 'complete' });
  });
});

describe('what the pods say', () => {
  it('names an image that cannot be pulled', () => {
    expect(
      podProblem([
        pod('api-1', [
          {
            name: 'api',
            image: 'x:bad',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:bad"' } },
          },
        ]),
      ]),
    ).toBe('ImagePullBackOff: Back-off pulling image "x:bad" (pod api-1)');
  });

  it('names a crash loop with its restarts and exit code, once for many pods', () => {
    const crashing = (name: string) =>
      pod(name, [
        {
          name: 'api',
          image: 'x:1',
          imageID: '',
          ready: false,
          restartCount: 4,
          state: {
            waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
          },
          lastState: { terminated: { exitCode: 1 } },
        },
      ]);
    expect(podProblem([crashing('api-1'), crashing('api-2')])).toBe(
      'CrashLoopBackOff after 4 restarts: back-off 40s restarting failed container (last exit code 1) (pod api-1)',
    );
  });

  it('names a running container that never becomes ready, and nothing for healthy pods', () => {
    const running = (ready: boolean) =>
      pod('api-1', [
        { name: 'api', image: 'x:1', imageID: '', ready, restartCount: 0, state: { running: {} } },
      ]);
    expect(podProblem([running(false)])).toBe(
      'readiness probe failing: container api runs but is not ready (pod api-1)',
    );
    expect(podProblem([running(true)])).toBeUndefined();
  });
});
