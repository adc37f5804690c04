import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FolderObjectStore } from '@aviary/messaging';
import { eventually } from '@aviary/test-support';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { ReleaseRunner } from '../release/release-runner.js';
import { MemoryJournal, release } from '../testing/releases.js';
import { LocalTarget } from '../targets/local/local-target.js';
import { DirectoryArtifactResolver } from './artifact-resolver.js';
import { PackageArtifactResolver } from './package-artifact-resolver.js';
import { imageTag, PushedImageResolver } from './pushed-image-resolver.js';

const server = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'fixtures', 'tiny-app', 'server.js'),
);

/** A gzipped tar of `files` (name -> content), with its digest. */
async function tarGz(files: Record<string, string | Buffer>): Promise<{ data: Buffer; digest: string }> {
  const tar = tarPack();
  for (const [name, content] of Object.entries(files))
    tar.entry({ name, mode: 0o644, mtime: new Date(0) }, content);
  tar.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of tar) parts.push(chunk as Buffer);
  const data = gzipSync(Buffer.concat(parts));
  return { data, digest: digestOf(data) };
}

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The two layers the builder writes for an application under /app: dependencies, then source. */
async function applicationLayers(flagFromDependency: string, sourceComment = '') {
  const dependencies = await tarGz({
    'app/package.json': '{"name":"shop","type":"module"}\n',
    'app/node_modules/flag/package.json': '{"name":"flag","main":"index.js"}\n',
    'app/node_modules/flag/index.js': `module.exports = ${JSON.stringify(flagFromDependency)};\n`,
  });
  const source = await tarGz({
    'app/start.js': `import flag from 'flag';\nprocess.env.FLAG ??= flag;\nawait import('./server.js');\n${sourceComment}`,
    'app/server.js': server,
  });
  return { dependencies, source };
}

describe('the local provider runs what the builder packed', () => {
  let root: string;
  let store: FolderObjectStore;
  let target: LocalTarget;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aviary-packages-'));
    store = new FolderObjectStore(root, 'artifacts');
    target = new LocalTarget({
      resolver: new PushedImageResolver(
        store,
        new PackageArtifactResolver(store, join(root, 'local'), new DirectoryArtifactResolver(root)),
      ),
      baseEnv: { PATH: process.env['PATH'] ?? '' },
      probeIntervalMs: 20,
    });
  });
  afterAll(async () => {
    await target.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Stores the layers and a package manifest naming them; returns the package's digest. */
  async function storePackage(
    layers: Array<{ data: Buffer; digest: string }>,
    fields: Record<string, unknown> = {},
  ): Promise<string> {
    for (const layer of layers) await store.put(layer.digest, layer.data);
    const manifest = Buffer.from(
      JSON.stringify({
        format: 'aviary-package/v2',
        application: 'shop',
        tag: 'abc',
        entrypoint: ['node', 'start.js'],
        env: {},
        labels: {},
        workdir: '/app',
        layers: layers.map((layer) => ({ digest: layer.digest, size: layer.data.byteLength })),
        ...fields,
      }),
    );
    await store.put(digestOf(manifest), manifest);
    return digestOf(manifest);
  }

  async function deploy(app: string, image: string): Promise<string> {
    await new ReleaseRunner({
      target,
      defaults: {},
      journal: new MemoryJournal(),
      deadlineAt: Date.now() + 15_000,
    }).deploy(release(app, image, { namespace: 'local', environment: 'local' }));
    return target.endpoint({ app, namespace: 'local' })!;
  }

  it('reads the tag of an image reference', () => {
    expect(imageTag('127.0.0.1:5000/team/shop:abc123@sha256:00ff')).toBe('abc123');
    expect(imageTag('shop:v1')).toBe('v1');
    expect(imageTag('127.0.0.1:5000/shop')).toBeUndefined();
  });

  it('runs artifact://sha256:<hex> (its layers under the workdir) with its entrypoint and environment, and lists it for Prometheus', async () => {
    const { dependencies, source } = await applicationLayers('from the dependency layer');
    const packed = await storePackage([dependencies, source], { env: { FLAG: 'from the package' } });
    const endpoint = await deploy('packed', `artifact://${packed}`);
    const body = (await (await fetch(endpoint)).json()) as { flag: string };
    expect(body.flag).toBe('from the package');
    expect(target.scrapeTargets()).toEqual([
      {
        targets: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)],
        labels: {
          namespace: 'local',
          pod: 'packed-0',
          app: 'packed',
          track: 'stable',
          version: `artifact://${packed}`,
        },
      },
    ]);
  });

  it('unpacks a dependency layer once for every package that has it', async () => {
    const first = await applicationLayers('shared dependency');
    const firstPackage = await storePackage([first.dependencies, first.source]);
    expect(await (await fetch(await deploy('first', `artifact://${firstPackage}`))).json()).toMatchObject({
      flag: 'shared dependency',
    });
    // The next build changed only its source; the store no longer has the dependency layer.
    const second = await applicationLayers('shared dependency', '// release 2\n');
    expect(second.dependencies.digest).toBe(first.dependencies.digest);
    const secondPackage = await storePackage([second.dependencies, second.source]);
    await store.delete(second.dependencies.digest);
    expect(await (await fetch(await deploy('second', `artifact://${secondPackage}`))).json()).toMatchObject({
      flag: 'shared dependency',
    });
  });

  it('still runs a first-format package (one tar.gz with aviary-package.json)', async () => {
    const built = await tarGz({
      'server.js': server,
      'aviary-package.json': JSON.stringify({
        format: 'aviary-package/v1',
        application: 'shop',
        tag: 'abc',
        entrypoint: ['node', 'server.js'],
        env: { FLAG: 'from a v1 package' },
        labels: {},
      }),
    });
    await store.put(built.digest, built.data);
    const body = (await (await fetch(await deploy('legacy', `artifact://${built.digest}`))).json()) as {
      flag: string;
    };
    expect(body.flag).toBe('from a v1 package');
  });

  it('runs an image the builder pushed, through the package it also packed under the same tag', async () => {
    const { dependencies, source } = await applicationLayers('pushed');
    const packed = await storePackage([dependencies, source]);
    await store.put(
      'packages/pushed/f00d',
      Buffer.from(JSON.stringify({ digest: packed, url: `artifact://${packed}` })),
    );
    const endpoint = await deploy('pushed', `127.0.0.1:5000/pushed:f00d@sha256:${'1'.repeat(64)}`);
    await eventually(async () => expect((await fetch(`${endpoint}/health`)).status).toBe(200));
  });

  it('refuses a package or layer whose content does not match its digest, one that is not there, and a bad manifest', async () => {
    const { dependencies, source } = await applicationLayers('refused');
    const packed = await storePackage([dependencies, source]);
    const forged = `sha256:${'2'.repeat(64)}`;
    await store.put(forged, Buffer.from((await store.get(packed))!));
    await expect(deploy('forged', `artifact://${forged}`)).rejects.toThrow(/has the digest sha256:/);
    await expect(deploy('missing', `artifact://sha256:${'3'.repeat(64)}`)).rejects.toThrow(
      /is not in the artifact store/,
    );
    const forgedLayer = `sha256:${'4'.repeat(64)}`;
    await store.put(forgedLayer, source.data);
    const withForgedLayer = await storePackage([dependencies], {
      layers: [
        { digest: dependencies.digest, size: dependencies.data.byteLength },
        { digest: forgedLayer, size: source.data.byteLength },
      ],
    });
    await expect(deploy('forged-layer', `artifact://${withForgedLayer}`)).rejects.toThrow(
      `the package layer ${forgedLayer} has the digest ${source.digest}`,
    );
    const noEntrypoint = await storePackage([dependencies, source], { entrypoint: [] });
    await expect(deploy('no-entrypoint', `artifact://${noEntrypoint}`)).rejects.toThrow(
      /is not a usable package manifest: .*entrypoint/s,
    );
  });
});
