import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { type KubeApiServer, startKubeApiServer } from './kube-apiserver.js';
import { deployment, service } from './testing/cluster.js';
import { type KubectlResult, kubectlBinary, kubectlRunner } from './binaries/layer-binaries.js';

/** The real kubectl 1.35 against the test server: what works with it is what a person can try by hand. */
describe('kubectl against the test server', () => {
  let server: KubeApiServer;
  let dir: string;
  let kubectl: (...args: string[]) => Promise<KubectlResult>;

  beforeAll(async () => {
    const binary = await kubectlBinary();
    server = await startKubeApiServer({ podReadyDelayMs: 50, namespaces: ['shop', 'monitoring'] });
    dir = await mkdtemp(path.join(tmpdir(), 'aviary-kubectl-'));
    await writeFile(path.join(dir, 'kubeconfig'), server.kubeconfig);
    kubectl = kubectlRunner(binary, path.join(dir, 'kubeconfig'), dir);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function manifest(name: string, ...objects: unknown[]): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, objects.map((o) => stringify(o)).join('---\n'));
    return file;
  }

  async function ok(...args: string[]): Promise<string> {
    const result = await kubectl(...args);
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  it('applies server-side, follows the rollout to the end, and reads the objects back as JSON', async () => {
    const file = await manifest(
      'web.yaml',
      deployment('shop', 'web', 'registry.local/web:1', { replicas: 2 }),
      service('shop', 'web'),
    );
    expect(await ok('apply', '--server-side', '-f', file)).toBe(
      'deployment.apps/web serverside-applied\nservice/web serverside-applied\n',
    );
    expect(await ok('-n', 'shop', 'rollout', 'status', 'deployment/web', '--timeout=30s')).toContain(
      'deployment "web" successfully rolled out',
    );

    const web = JSON.parse(await ok('-n', 'shop', 'get', 'deploy', 'web', '-o', 'json')) as {
      metadata: { generation: number };
      status: { readyReplicas: number; observedGeneration: number };
    };
    expect(web.status).toMatchObject({ readyReplicas: 2, observedGeneration: web.metadata.generation });
    const pods = JSON.parse(
      await ok('-n', 'shop', 'get', 'pods', '-l', 'app=web,aviary.dev/track in (stable)', '-o', 'json'),
    ) as {
      items: unknown[];
    };
    expect(pods.items).toHaveLength(2);
    expect(await ok('-n', 'shop', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].targetPort}')).toBe(
      'http',
    );
  });

  it('scales, restarts and sets an image; re-applying then conflicts until forced; dry-run changes nothing', async () => {
    await ok('-n', 'shop', 'scale', 'deployment/web', '--replicas=3');
    await ok('-n', 'shop', 'rollout', 'restart', 'deployment/web');
    await ok('-n', 'shop', 'set', 'image', 'deployment/web', 'app=registry.local/web:2');
    expect(await ok('-n', 'shop', 'rollout', 'status', 'deployment/web', '--timeout=30s')).toContain(
      'successfully rolled out',
    );
    const images = await ok(
      '-n',
      'shop',
      'get',
      'pods',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[*].spec.containers[0].image}',
    );
    expect(images.split(' ')).toEqual(Array(3).fill('registry.local/web:2'));

    const file = await manifest(
      'web-again.yaml',
      deployment('shop', 'web', 'registry.local/web:1', { replicas: 2 }),
    );
    const conflict = await kubectl('apply', '--server-side', '-f', file);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 2 conflicts');
    expect(conflict.stderr).toContain('.spec.replicas');

    const before = await ok(
      '-n',
      'shop',
      'get',
      'deploy',
      'web',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    );
    const dry = await ok(
      'apply',
      '--server-side',
      '--force-conflicts',
      '--dry-run=server',
      '-f',
      file,
      '-o',
      'jsonpath={.spec.replicas}',
    );
    expect(dry).toBe('2');
    expect(await ok('-n', 'shop', 'get', 'deploy', 'web', '-o', 'jsonpath={.metadata.resourceVersion}')).toBe(
      before,
    );

    await ok('apply', '--server-side', '--force-conflicts', '-f', file);
    expect(
      await ok(
        '-n',
        'shop',
        'get',
        'deploy',
        'web',
        '-o',
        'jsonpath={.spec.replicas} {.metadata.generation}',
      ),
    ).toBe('2 5');
  });

  it('reports the invalid field of a refused manifest', async () => {
    const file = await manifest('bad.yaml', deployment('shop', 'bad', '', { replicas: 1 }));
    const refused = await kubectl('apply', '--server-side', '-f', file);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'The Deployment "bad" is invalid: spec.template.spec.containers[0].image: Required value',
    );
  });

  it('serves a ServiceMonitor and pod logs, and deletes a Deployment with its pods', async () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'monitoring' },
      spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http', path: '/metrics' }] },
    };
    await ok('apply', '--server-side', '-f', await manifest('monitor.yaml', monitor));
    expect(await ok('-n', 'monitoring', 'get', 'servicemonitors', '-o', 'name')).toBe(
      'servicemonitor.monitoring.coreos.com/web\n',
    );
    expect(await ok('-n', 'shop', 'logs', 'deploy/web', '--tail=1')).toMatch(
      /^web-[a-z0-9]+-[a-z0-9]+\/app: log line \d+\n$/,
    );

    expect(await ok('-n', 'shop', 'delete', 'deployment', 'web')).toContain('deployment.apps "web" deleted');
    expect(await ok('-n', 'shop', 'get', 'pods', '-l', 'app=web', '-o', 'name')).toBe('');
    const gone = await kubectl('-n', 'shop', 'get', 'deploy', 'web');
    expect(gone.stderr).toContain('Error from server (NotFound): deployments.apps "web" not found');
  });
});
