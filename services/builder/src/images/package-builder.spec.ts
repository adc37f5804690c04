import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FolderObjectStore, PackageManifest } from '@aviary/messaging';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeApplicationLayers } from './application-layers.js';
import { PackageBuilder } from './package-builder.js';

describe('a package: the image application layers and a manifest naming them', () => {
  let root: string;
  let context: string;
  let store: FolderObjectStore;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'aviary-package-'));
    context = join(root, 'app');
    mkdirSync(join(context, 'node_modules', 'flag'), { recursive: true });
    writeFileSync(join(context, 'package.json'), '{"name":"shop","type":"module"}\n');
    writeFileSync(join(context, 'node_modules', 'flag', 'index.js'), 'module.exports = 1;\n');
    writeFileSync(join(context, 'server.js'), 'console.log(1);\n');
    store = new FolderObjectStore(root, 'artifacts');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const manifest = (tag: string) => ({
    application: 'shop',
    tag,
    entrypoint: ['node', 'server.js'],
    env: { MODE: 'production' },
    labels: {},
    workdir: '/app',
  });
  const layers = (name: string) =>
    writeApplicationLayers({ context, workdir: '/app', buildDir: join(root, 'build', name) });

  it('stores each layer once while it is fresh, again when it was written more than a day ago', async () => {
    let now = Date.now();
    const builder = new PackageBuilder(store, () => now);
    const first = await builder.build({ layers: await layers('1'), manifest: manifest('v1') });
    const stored = PackageManifest.parse(
      JSON.parse(Buffer.from((await store.get(first.digest))!).toString()),
    );
    expect(stored).toMatchObject({ format: 'aviary-package/v2', tag: 'v1', env: { MODE: 'production' } });
    expect(stored.layers).toHaveLength(2);
    expect(first.stored).toBe(stored.layers[0]!.size + stored.layers[1]!.size);
    expect(JSON.parse(Buffer.from((await store.get('packages/shop/v1'))!).toString())).toMatchObject({
      digest: first.digest,
      url: first.url,
    });

    // Only the source changed: its layer is the one stored.
    writeFileSync(join(context, 'server.js'), 'console.log(2);\n');
    const second = await builder.build({ layers: await layers('2'), manifest: manifest('v2') });
    const secondLayers = PackageManifest.parse(
      JSON.parse(Buffer.from((await store.get(second.digest))!).toString()),
    ).layers;
    expect(secondLayers[0]).toEqual(stored.layers[0]);
    expect(second.stored).toBe(secondLayers[1]!.size);

    // A day later the dependency layer is written again, to be kept as long as this package.
    now += 25 * 60 * 60 * 1000;
    const third = await builder.build({ layers: await layers('3'), manifest: manifest('v3') });
    expect(third.stored).toBe(secondLayers[0]!.size + secondLayers[1]!.size);
  });
});
