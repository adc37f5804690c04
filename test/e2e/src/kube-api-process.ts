import { freePort } from '@aviary/test-support';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'kube-apiserver', 'dist', 'main.js');

/** A Kubernetes object as the API returns it (the fields these tests read). */
export interface KubeObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * The Kubernetes API test server run by hand as its README shows (`node test/kube-apiserver/dist/main.js
 * --kubeconfig FILE`), in its own process, the way the deployer process meets a cluster: through a
 * kubeconfig file and HTTP. Tests read objects back through the same API.
 */
export class KubeApiProcess {
  private constructor(
    readonly url: string,
    readonly kubeconfig: string,
    private readonly stopProcess: () => Promise<void>,
    private readonly output: () => string,
  ) {}

  /** `crashingImages`: pods of images matching this regular expression crash-loop. */
  static async start(
    kubeconfig: string,
    options: { podReadyDelayMs: number; crashingImages?: string },
  ): Promise<KubeApiProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--port',
        String(port),
        '--kubeconfig',
        kubeconfig,
        '--pod-ready-delay-ms',
        String(options.podReadyDelayMs),
        ...(options.crashingImages ? ['--crashing-images', options.crashingImages] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new KubeApiProcess(
      `http://127.0.0.1:${port}`,
      kubeconfig,
      async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
      () => output,
    );
    const deadline = Date.now() + 30_000;
    // Ready once it has written the kubeconfig the deployer will read.
    while (!output.includes('kubeconfig written')) {
      if (child.exitCode !== null) throw new Error(`the Kubernetes API test server exited:\n${output}`);
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`the Kubernetes API test server did not start within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  /** `kubectl create namespace <name>`. */
  async createNamespace(name: string): Promise<void> {
    const response = await fetch(`${this.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    });
    if (response.status !== 201)
      throw new Error(`namespace ${name}: ${response.status} ${await response.text()}`);
  }

  /** `GET <path>` of the API, e.g. `/apis/apps/v1/namespaces/production/deployments/app`; undefined on 404. */
  async get(path: string): Promise<KubeObject | undefined> {
    const response = await fetch(`${this.url}${path}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as KubeObject;
  }

  /** The items of a list, e.g. `/api/v1/namespaces/production/pods?labelSelector=app%3Dx`. */
  async list(path: string): Promise<KubeObject[]> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { items: KubeObject[] }).items;
  }

  tail(): string {
    return this.output();
  }

  stop(): Promise<void> {
    return this.stopProcess();
  }
}
