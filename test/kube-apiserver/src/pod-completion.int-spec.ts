import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Log } from '@kubernetes/client-node';
import { eventually } from '@aviary/test-support';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { connect } from './testing/cluster.js';

/** Pods that run to completion (build steps, Jobs): exit code in the container status, a finite log. */
describe('pods that run to completion', () => {
  let server: KubeApiServer;
  let k8s: ReturnType<typeof connect>;

  beforeAll(async () => {
    server = await startKubeApiServer({ podReadyDelayMs: 20, podLogIntervalMs: 20, namespaces: ['builds'] });
    k8s = connect(server);
  });
  afterAll(() => server.close());

  const pod = (name: string, image: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'builds', labels: { app: name } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'step', image, command: ['/bin/sh', '-c', 'npm test'] }],
    },
  });

  it('terminates the container with the exit code, and a followed log ends when it does', async () => {
    server.setPodBehaviour({
      image: 'node:24-fails',
      behaviour: 'complete',
      runMs: 300,
      exitCode: 3,
      logs: ['> npm test', '1 failing'],
    });
    await k8s.core.createNamespacedPod({ namespace: 'builds', body: pod('step-fails', 'node:24-fails') });
    await eventually(async () => {
      const status = (await k8s.core.readNamespacedPod({ name: 'step-fails', namespace: 'builds' })).status;
      expect(status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    });
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    const ended = new Promise<void>((resolve) => sink.on('finish', resolve));
    await new Log(k8s.config).log('builds', 'step-fails', 'step', sink, { follow: true });
    await ended;
    expect(text).toBe('> npm test\n1 failing\n');
    const status = (await k8s.core.readNamespacedPod({ name: 'step-fails', namespace: 'builds' })).status;
    expect(status?.phase).toBe('Failed');
    expect(status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('reports success as phase Succeeded with exit code 0', async () => {
    server.setPodBehaviour({ image: 'node:24-ok', behaviour: 'complete', runMs: 10, logs: ['ok'] });
    await k8s.core.createNamespacedPod({ namespace: 'builds', body: pod('step-ok', 'node:24-ok') });
    await eventually(async () => {
      const status = (await k8s.core.readNamespacedPod({ name: 'step-ok', namespace: 'builds' })).status;
      expect(status?.phase).toBe('Succeeded');
      expect(status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
        exitCode: 0,
        reason: 'Completed',
      });
    });
    const log = await k8s.core.readNamespacedPodLog({ name: 'step-ok', namespace: 'builds' });
    expect(log).toBe('ok\n');
  });
});
