import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS_BUCKET, artifactUrl, type ObjectStore } from '@aviary/messaging';
import { collectEntries, devPackages, writeLayer } from './layers.js';

/** What the deployer's local provider reads first in a package: how to run what is in it. */
export interface PackageManifest {
  format: 'aviary-package/v1';
  application: string;
  tag: string;
  entrypoint: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
}

export const PACKAGE_MANIFEST = 'aviary-package.json';

export interface PackageRequest {
  context: string;
  buildDir: string;
  manifest: PackageManifest;
}

export interface BuiltPackage {
  digest: string;
  /** `artifact://sha256:<hex>` */
  url: string;
  size: number;
  reused: boolean;
}

/**
 * The embedded default's image: without a registry, `build-image` packs the built application (its
 * production dependencies and source, and `aviary-package.json` saying how to start it) as one
 * deterministic tar.gz, stored in the artifacts bucket under its digest (`sha256:<hex>`); the same
 * build gives the same digest and is stored once. `packages/<application>/<tag>` names the
 * version.
 */
export class PackageBuilder {
  constructor(private readonly store: ObjectStore) {}

  static bucket = ARTIFACTS_BUCKET;

  async build(request: PackageRequest): Promise<BuiltPackage> {
    await rm(request.buildDir, { recursive: true, force: true });
    await mkdir(request.buildDir, { recursive: true });
    const manifestFile = join(request.buildDir, PACKAGE_MANIFEST);
    await writeFile(manifestFile, `${JSON.stringify(request.manifest, null, 2)}\n`);
    const dev = await devPackages(request.context);
    const entries = await collectEntries(request.context, '', (rel) => {
      if (rel === PACKAGE_MANIFEST || rel === 'node_modules/.cache' || rel.startsWith('node_modules/.cache/'))
        return false;
      for (const path of dev) if (rel === path || rel.startsWith(`${path}/`)) return false;
      return true;
    });
    const size = (await stat(manifestFile)).size;
    const layer = await writeLayer(
      [...entries, { path: PACKAGE_MANIFEST, type: 'file', source: manifestFile, size }],
      join(request.buildDir, 'package.tar.gz'),
    );
    const reused = (await this.store.info(layer.digest)) !== undefined;
    if (!reused)
      await this.store.put(layer.digest, createReadStream(layer.file) as AsyncIterable<Uint8Array>, {
        metadata: {
          format: request.manifest.format,
          application: request.manifest.application,
          tag: request.manifest.tag,
        },
      });
    const url = artifactUrl(layer.digest);
    await this.store.put(
      `packages/${request.manifest.application}/${request.manifest.tag}`,
      new TextEncoder().encode(JSON.stringify({ digest: layer.digest, url, size: layer.size })),
    );
    return { digest: layer.digest, url, size: layer.size, reused };
  }
}
