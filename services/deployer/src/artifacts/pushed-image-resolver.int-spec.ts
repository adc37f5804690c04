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

/** A package as the builder packs it: the application and aviary-package.json, gzipped tar. */
async function packageOf(files: Record<string, string | Buffer>): Promise<{ data: Buffer; digest: string }> {
  const tar = tarPack();
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of tar) parts.push(chunk as Buffer);
  const data = gzipSync(Buffer.concat(parts));
  return { data, digest: `sha256:${createHash('sha256').update(data).digest('hex')}` };
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

  const manifest = (env: Record<string, string>) =>
    JSON.stringify({
      format: 'aviary-package/v1',
      application: 'shop',
      tag: 'abc',
      entrypoint: ['node', 'server.js'],
      env,
      labels: {},
    });

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

  it('runs artifact://sha256:<hex> with its entrypoint and environment, and lists it for Prometheus', async () => {
    const built = await packageOf({
      'server.js': server,
      'aviary-package.json': manifest({ FLAG: 'from the package' }),
    });
    await store.put(built.digest, built.data);
    const endpoint = await deploy('packed', `artifact://${built.digest}`);
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
          version: `artifact://${built.digest}`,
        },
      },
    ]);
  });

  it('runs an image the builder pushed, through the package it also packed under the same tag', async () => {
    const built = await packageOf({ 'server.js': server, 'aviary-package.json': manifest({}) });
    await store.put(built.digest, built.data);
    await store.put(
      'packages/pushed/f00d',
      Buffer.from(JSON.stringify({ digest: built.digest, url: `artifact://${built.digest}` })),
    );
    const endpoint = await deploy('pushed', `127.0.0.1:5000/pushed:f00d@sha256:${'1'.repeat(64)}`);
    await eventually(async () => expect((await fetch(`${endpoint}/health`)).status).toBe(200));
  });

  it('refuses a package whose content does not match its digest, and one that is not there', async () => {
    const built = await packageOf({ 'server.js': server, 'aviary-package.json': manifest({}) });
    const forged = `sha256:${'2'.repeat(64)}`;
    await store.put(forged, built.data);
    await expect(deploy('forged', `artifact://${forged}`)).rejects.toThrow(/has the digest sha256:/);
    await expect(deploy('missing', `artifact://sha256:${'3'.repeat(64)}`)).rejects.toThrow(
      /is not in the artifact store/,
    );
  });
});
