import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { collectEntries, devPackages, parentDirectories, writeLayer, type BuiltLayer } from './layers.js';

const DEPENDENCY_FILES = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json']);

export interface ApplicationLayersRequest {
  /** The application folder (the build context inside the workspace). */
  context: string;
  /** Where the files go in the image (`/app`). */
  workdir: string;
  /** Where the layer files are written (made if missing). */
  buildDir: string;
}

/**
 * A Node.js application as two deterministic layers under its workdir: its dependencies
 * (package.json, the lock file and node_modules without development packages), then its source.
 * The image and the local provider's package are both made of these same two, and a build whose
 * dependencies did not change gives the same dependency layer.
 */
export async function writeApplicationLayers(request: ApplicationLayersRequest): Promise<BuiltLayer[]> {
  await mkdir(request.buildDir, { recursive: true });
  const dev = await devPackages(request.context);
  const isDev = (rel: string) => {
    for (const path of dev) if (rel === path || rel.startsWith(`${path}/`)) return true;
    return false;
  };
  const dependencies = collectEntries(request.context, request.workdir, (rel) => {
    const top = rel.split('/')[0]!;
    if (top === 'node_modules')
      return rel !== 'node_modules/.cache' && !rel.startsWith('node_modules/.cache/') && !isDev(rel);
    return !rel.includes('/') && DEPENDENCY_FILES.has(rel);
  });
  const source = collectEntries(request.context, request.workdir, (rel) => {
    const top = rel.split('/')[0]!;
    return top !== 'node_modules' && !(!rel.includes('/') && DEPENDENCY_FILES.has(rel));
  });
  const parents = parentDirectories(request.workdir);
  return Promise.all([
    writeLayer([...parents, ...dependencies], join(request.buildDir, 'dependencies.tar.gz')),
    writeLayer([...parents, ...source], join(request.buildDir, 'source.tar.gz')),
  ]);
}
