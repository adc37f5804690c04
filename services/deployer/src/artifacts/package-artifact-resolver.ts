import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { artifactObjectName, type ObjectStore, PackageManifest } from '@aviary/messaging';
import { z } from 'zod';
import { type ArtifactResolver, type LocalRun, type ResolvedArtifact } from './artifact-resolver.js';
import { linkTree, unpackChecked } from './package-files.js';

/**
 * `aviary-package.json` at the root of a first-format package (one gzipped tar of the application),
 * which builders before the layered format wrote; such packages still run.
 */
const PackageManifestV1 = z.object({
  format: z.literal('aviary-package/v1'),
  application: z.string(),
  tag: z.string(),
  entrypoint: z.array(z.string().min(1)).min(1),
  env: z.record(z.string(), z.string()).default({}),
  labels: z.record(z.string(), z.string()).default({}),
});

const MANIFEST_V1 = 'aviary-package.json';
const DIGEST = /^sha256:([0-9a-f]{64})$/;
/** A package manifest is a few hundred bytes; anything this large is not one. */
const MAX_MANIFEST = 1024 * 1024;
const GZIP = [0x1f, 0x8b];

/** What a package runs: its folder, entrypoint and environment. */
interface Unpacked {
  directory: string;
  entrypoint: string[];
  env: Record<string, string>;
}

/** A POSIX shell word: the entrypoint's arguments reach the program exactly as written. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The local provider's way to run a packaged build (`artifact://sha256:<hex>`, what `build-image`
 * stores for it): a package manifest (`aviary-package/v2`) naming the image's application layers,
 * each checked against its digest. A package is put together once per digest under
 * `workDir/packages/`: every layer but the last (the dependencies, which most builds share) is
 * unpacked once under `workDir/layers/` and hard-linked in, the last (the source) is unpacked into
 * the package's own folder. It runs with its manifest's entrypoint (a stage's `local.command` wins)
 * and environment (the release's wins). A first-format package (one gzipped tar) still runs. Any
 * other image goes to `fallback` (a directory and a command from the stage).
 */
export class PackageArtifactResolver implements ArtifactResolver {
  private readonly packages = new Map<string, Promise<Unpacked>>();
  private readonly layers = new Map<string, Promise<string>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly workDir: string,
    private readonly fallback: ArtifactResolver,
  ) {}

  async resolve(image: string, run: LocalRun | undefined, application?: string): Promise<ResolvedArtifact> {
    const name = artifactObjectName(image);
    if (name === undefined) return this.fallback.resolve(image, run, application);
    const hex = DIGEST.exec(name)?.[1];
    if (!hex) throw new Error(`${image} is not a packaged build (artifact://sha256:<64 hex digits>)`);
    const unpacked = await once(this.packages, hex, () => this.unpack(name, hex));
    return {
      directory: unpacked.directory,
      command: run?.command ?? unpacked.entrypoint.map(shellWord).join(' '),
      env: unpacked.env,
    };
  }

  private async unpack(name: string, hex: string): Promise<Unpacked> {
    const directory = join(this.workDir, 'packages', hex);
    const content = await this.store.read(name);
    if (!content) throw new Error(`the package artifact://${name} is not in the artifact store`);
    const chunks = content[Symbol.asyncIterator]();
    const first = await chunks.next();
    const head = first.done ? new Uint8Array() : first.value;
    const rest: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        if (!first.done) yield head;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      },
    };
    if (head[0] === GZIP[0] && head[1] === GZIP[1]) {
      if (await exists(directory)) await chunks.return?.();
      else
        await this.complete(directory, (staging) =>
          unpackChecked(rest, hex, staging, `the package artifact://${name}`),
        );
      return this.manifestV1(name, directory);
    }
    const manifest = await this.manifest(name, hex, rest);
    await this.complete(directory, async (staging) => {
      const last = manifest.layers.at(-1)!;
      for (const layer of manifest.layers.slice(0, -1))
        linkTree(
          await once(this.layers, layer.digest, () => this.layer(layer.digest, manifest.workdir)),
          staging,
        );
      await this.unpackLayer(last.digest, staging, manifest.workdir, true);
    });
    return { directory, entrypoint: manifest.entrypoint, env: manifest.env };
  }

  private async manifest(
    name: string,
    hex: string,
    chunks: AsyncIterable<Uint8Array>,
  ): Promise<PackageManifest> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > MAX_MANIFEST)
        throw new Error(`artifact://${name} is not a package (neither a manifest nor a tar.gz)`);
      parts.push(chunk);
    }
    const body = Buffer.concat(parts);
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== hex) throw new Error(`the package artifact://${name} has the digest sha256:${actual}`);
    try {
      return PackageManifest.parse(JSON.parse(body.toString('utf8')));
    } catch (error) {
      throw new Error(`artifact://${name} is not a usable package manifest: ${reason(error)}`, {
        cause: error,
      });
    }
  }

  /** A shared layer, unpacked once under `layers/`. */
  private async layer(digest: string, workdir: string): Promise<string> {
    const directory = join(this.workDir, 'layers', DIGEST.exec(digest)![1]!);
    await this.complete(directory, (staging) => this.unpackLayer(digest, staging, workdir, false));
    return directory;
  }

  private async unpackLayer(digest: string, into: string, workdir: string, replace: boolean): Promise<void> {
    const content = await this.store.read(digest);
    if (!content) throw new Error(`the package layer ${digest} is not in the artifact store`);
    await unpackChecked(content, DIGEST.exec(digest)![1]!, into, `the package layer ${digest}`, {
      under: workdir.replace(/^\/+|\/+$/g, ''),
      replace,
    });
  }

  private async manifestV1(name: string, directory: string): Promise<Unpacked> {
    try {
      const manifest = PackageManifestV1.parse(
        JSON.parse(await readFile(join(directory, MANIFEST_V1), 'utf8')),
      );
      return { directory, entrypoint: manifest.entrypoint, env: manifest.env };
    } catch (error) {
      throw new Error(`artifact://${name} has no usable ${MANIFEST_V1}: ${reason(error)}`, { cause: error });
    }
  }

  /**
   * Makes `directory` with `fill` unless an earlier run made it: filled under another name and
   * renamed into place, so a folder that is there is whole.
   */
  private async complete(directory: string, fill: (staging: string) => Promise<void>): Promise<void> {
    if (await exists(directory)) return;
    const staging = `${directory}.partial-${process.pid}-${Date.now()}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    try {
      await fill(staging);
      await mkdir(dirname(directory), { recursive: true });
      await rename(staging, directory);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }
}

/** One promise per key at a time: a failed one is forgotten, so the next call tries again. */
function once<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let promise = map.get(key);
  if (!promise) {
    promise = make();
    map.set(key, promise);
    promise.catch(() => map.delete(key));
  }
  return promise;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
