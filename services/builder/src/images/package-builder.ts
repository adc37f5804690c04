import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ARTIFACTS_BUCKET, artifactUrl, type ObjectStore, type PackageManifest } from '@aviary/messaging';
import { type BuiltLayer } from './layers.js';

export interface PackageRequest {
  /** The application layers ({@link writeApplicationLayers}), written under `manifest.workdir`. */
  layers: BuiltLayer[];
  manifest: Omit<PackageManifest, 'format' | 'layers'>;
}

export interface BuiltPackage {
  digest: string;
  /** `artifact://sha256:<hex>` */
  url: string;
  /** Bytes written to the store (layers it already had are not written again). */
  stored: number;
  reused: boolean;
}

/**
 * A layer stored this recently is not written again. Objects are kept 30 days from when they were
 * written, so an older one is written anew to live as long as the package that names it.
 */
const REUSE_WITHIN_MS = 24 * 60 * 60 * 1000;

/**
 * The image as the local deploy provider runs it: the image's own application layers in the
 * artifacts bucket under their digests, and a manifest naming them with the entrypoint, env and
 * workdir (`aviary-package/v2`), stored under its own digest: `artifact://sha256:<hex>`.
 * `packages/<application>/<tag>` names the version.
 */
export class PackageBuilder {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {}

  static bucket = ARTIFACTS_BUCKET;

  async build(request: PackageRequest): Promise<BuiltPackage> {
    const stored = await Promise.all(request.layers.map((layer) => this.storeLayer(layer)));
    const manifest: PackageManifest = {
      format: 'aviary-package/v2',
      ...request.manifest,
      layers: request.layers.map((layer) => ({ digest: layer.digest, size: layer.size })),
    };
    const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const reused = (await this.store.info(digest)) !== undefined;
    if (!reused)
      await this.store.put(digest, body, {
        metadata: { format: manifest.format, application: manifest.application, tag: manifest.tag },
      });
    const url = artifactUrl(digest);
    await this.store.put(
      `packages/${manifest.application}/${manifest.tag}`,
      new TextEncoder().encode(JSON.stringify({ digest, url, size: body.byteLength })),
    );
    return { digest, url, stored: stored.reduce((sum, bytes) => sum + bytes, 0), reused };
  }

  /** Bytes written: none when the store has the layer from recently. */
  private async storeLayer(layer: BuiltLayer): Promise<number> {
    const info = await this.store.info(layer.digest);
    if (info && info.digest === layer.digest && this.now() - Date.parse(info.modified) < REUSE_WITHIN_MS)
      return 0;
    await this.store.put(layer.digest, createReadStream(layer.file) as AsyncIterable<Uint8Array>, {
      metadata: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    });
    return layer.size;
  }
}
