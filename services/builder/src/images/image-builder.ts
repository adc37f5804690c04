import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { writeApplicationLayers } from './application-layers.js';
import { type BuiltLayer } from './layers.js';
import {
  MEDIA,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from './oci/media-types.js';
import { type ImageReference } from './oci/reference.js';
import { RegistryError, type RegistryClient } from './oci/registry-client.js';

export interface ImageRequest {
  /** The application folder (the build context inside the workspace). */
  context: string;
  base: ImageReference;
  target: { registry: string; repository: string };
  tags: string[];
  entrypoint?: string[];
  workdir: string;
  user: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Where build files (the layers) are written. */
  buildDir: string;
  /**
   * The application layers, when the caller writes them (for a package too) with
   * {@link writeApplicationLayers} for the same context and workdir; they may still be being written.
   */
  layers?: Promise<BuiltLayer[]>;
  signal?: AbortSignal;
}

export interface BuiltImage {
  digest: string;
  /** `registry/repository:firstTag@digest` */
  url: string;
  layers: { uploaded: number; mounted: number; present: number };
}

/** linux/amd64, linux/arm64...: the platform the builder runs on. */
function platform(): { os: string; architecture: string } {
  const architecture =
    (
      { x64: 'amd64', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le' } as Record<string, string>
    )[process.arch] ?? process.arch;
  return { os: 'linux', architecture };
}

/** `node <main>` from package.json: the start script's file if it is `node <file>`, else `main`. */
export async function defaultEntrypoint(context: string): Promise<string[]> {
  try {
    const pkg = JSON.parse(await readFile(join(context, 'package.json'), 'utf8')) as {
      main?: string;
      scripts?: { start?: string };
    };
    const start = /^node\s+(\S+)$/.exec(pkg.scripts?.start?.trim() ?? '');
    return ['node', start?.[1] ?? pkg.main ?? 'index.js'];
  } catch {
    return ['node', 'index.js'];
  }
}

function mergeEnv(base: string[] | undefined, extra: Record<string, string>): string[] {
  const merged = new Map<string, string>();
  for (const entry of base ?? []) {
    const at = entry.indexOf('=');
    merged.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? '' : entry.slice(at + 1));
  }
  for (const [name, value] of Object.entries(extra)) merged.set(name, value);
  return [...merged].map(([name, value]) => `${name}=${value}`);
}

/**
 * Builds an OCI image for a Node.js application without a container daemon: the base image's
 * manifest and config are read from its registry (its layers are never downloaded when the target
 * registry can mount or already has them), the application is added as two deterministic layers
 * (dependencies, then source) under the workdir, the config gets entrypoint, workdir, env, user and
 * labels, and blobs, config and manifest are pushed; blobs the registry has are skipped.
 */
export class OciImageBuilder {
  constructor(private readonly client: RegistryClient) {}

  async build(request: ImageRequest, note: (text: string) => void): Promise<BuiltImage> {
    const { base, target } = request;
    const baseManifest = await this.baseManifest(base);
    const baseConfig = JSON.parse(
      (await this.client.blob(base.registry, base.repository, baseManifest.manifest.config.digest)).toString(
        'utf8',
      ),
    ) as ImageConfig;
    const docker = baseManifest.mediaType === MEDIA.dockerManifest;
    note(
      `base image ${base.registry}/${base.repository}@${baseManifest.digest} (${baseManifest.manifest.layers.length} layers)`,
    );

    // The base layers travel (or are mounted) while the application's layers are being written.
    const baseCopies = Promise.all(
      baseManifest.manifest.layers.map((layer) => this.copyBaseBlob(base, target, layer, request.signal)),
    );
    baseCopies.catch(() => undefined);
    const layers = await (request.layers ?? this.applicationLayers(request));
    const layerType = docker ? MEDIA.dockerLayerGzip : MEDIA.ociLayerGzip;
    const created = new Date(0).toISOString();
    const entrypoint = request.entrypoint ?? (await defaultEntrypoint(request.context));
    const config: ImageConfig = {
      ...baseConfig,
      ...platform(),
      created,
      config: {
        ...baseConfig.config,
        Entrypoint: entrypoint,
        Cmd: null,
        WorkingDir: request.workdir,
        User: request.user,
        Env: mergeEnv(baseConfig.config?.Env, request.env),
        Labels: { ...baseConfig.config?.Labels, ...request.labels },
      },
      rootfs: {
        type: 'layers',
        diff_ids: [...baseConfig.rootfs.diff_ids, ...layers.map((layer) => layer.diffId)],
      },
      history: [
        ...(baseConfig.history ?? []),
        { created, created_by: 'aviary: dependencies (package.json, package-lock.json, node_modules)' },
        { created, created_by: 'aviary: application source' },
      ],
    };
    const configBody = Buffer.from(JSON.stringify(config));
    const configDescriptor: Descriptor = {
      mediaType: docker ? MEDIA.dockerConfig : MEDIA.ociConfig,
      digest: `sha256:${createHash('sha256').update(configBody).digest('hex')}`,
      size: configBody.byteLength,
    };
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: docker ? MEDIA.dockerManifest : MEDIA.ociManifest,
      config: configDescriptor,
      layers: [
        ...baseManifest.manifest.layers,
        ...layers.map((layer) => ({ mediaType: layerType, digest: layer.digest, size: layer.size })),
      ],
    };
    const manifestBody = Buffer.from(JSON.stringify(manifest));

    const counts = { uploaded: 0, mounted: 0, present: 0 };
    const pushed = await Promise.all([
      ...layers.map(async (layer) => {
        request.signal?.throwIfAborted();
        const how = await this.pushBlob(target, layer.digest, layer.size, () => createReadStream(layer.file));
        note(
          `${how === 'present' ? 'skipped' : 'uploaded'} layer ${layer.digest} (${layer.size} bytes)${how === 'present' ? ': the registry has it' : ''}`,
        );
        return how;
      }),
      this.pushBlob(target, configDescriptor.digest, configDescriptor.size, configBody).then(() => undefined),
    ]);
    for (const how of [...(await baseCopies), ...pushed]) if (how) counts[how] += 1;
    let digest = '';
    for (const tag of request.tags)
      digest = await this.client.putManifest(
        target.registry,
        target.repository,
        tag,
        manifestBody,
        manifest.mediaType!,
      );
    note(`pushed ${target.registry}/${target.repository}:${request.tags.join(', :')} (${digest})`);
    return {
      digest,
      url: `${target.registry}/${target.repository}:${request.tags[0]}@${digest}`,
      layers: counts,
    };
  }

  private async applicationLayers(request: ImageRequest): Promise<BuiltLayer[]> {
    await rm(request.buildDir, { recursive: true, force: true });
    return writeApplicationLayers(request);
  }

  private async baseManifest(
    base: ImageReference,
  ): Promise<{ manifest: ImageManifest; mediaType: string; digest: string }> {
    let fetched = await this.client.manifest(
      base.registry,
      base.repository,
      base.digest ?? base.tag ?? 'latest',
    );
    if (fetched.mediaType === MEDIA.ociIndex || fetched.mediaType === MEDIA.dockerList) {
      const index = JSON.parse(fetched.body.toString('utf8')) as ImageIndex;
      const wanted = platform();
      const match = index.manifests.find(
        (m) => m.platform?.os === wanted.os && m.platform.architecture === wanted.architecture,
      );
      if (!match)
        throw new RegistryError(
          `the base image ${base.registry}/${base.repository} has no ${wanted.os}/${wanted.architecture} variant`,
        );
      fetched = await this.client.manifest(base.registry, base.repository, match.digest);
    }
    return {
      manifest: JSON.parse(fetched.body.toString('utf8')) as ImageManifest,
      mediaType: fetched.mediaType,
      digest: fetched.digest,
    };
  }

  /** A base layer: already there, mounted from the base's repository, or streamed across registries. */
  private async copyBaseBlob(
    base: ImageReference,
    target: { registry: string; repository: string },
    layer: Descriptor,
    signal: AbortSignal | undefined,
  ): Promise<'present' | 'mounted' | 'uploaded'> {
    signal?.throwIfAborted();
    if (await this.client.hasBlob(target.registry, target.repository, layer.digest)) return 'present';
    if (
      base.registry === target.registry &&
      (await this.client.mountBlob(target.registry, target.repository, layer.digest, base.repository))
    )
      return 'mounted';
    await this.client.uploadBlob(target.registry, target.repository, layer.digest, layer.size, () =>
      this.client.blobStream(base.registry, base.repository, layer.digest),
    );
    return 'uploaded';
  }

  private async pushBlob(
    target: { registry: string; repository: string },
    digest: string,
    size: number,
    body: Buffer | (() => Readable),
  ): Promise<'present' | 'uploaded'> {
    if (await this.client.hasBlob(target.registry, target.repository, digest)) return 'present';
    await this.client.uploadBlob(
      target.registry,
      target.repository,
      digest,
      size,
      Buffer.isBuffer(body) ? body : () => Promise.resolve(body()),
    );
    return 'uploaded';
  }
}
