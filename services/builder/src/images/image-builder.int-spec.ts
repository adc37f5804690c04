import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  podmanRun,
  pushNodeBaseImage,
  skopeoInspect,
  startRegistry,
  type TestRegistry,
} from '@aviary/test-support';
import { startAuthProxy } from '../testing/registry-auth-proxy.js';
import { OciImageBuilder, type ImageRequest } from './image-builder.js';
import { parseImageReference } from './oci/reference.js';
import { RegistryClient, RegistryError } from './oci/registry-client.js';

const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** A small application as `npm ci` leaves it: a production and a development dependency installed. */
function writeApplication(root: string, greeting: string): void {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'app',
      version: '1.0.0',
      main: 'server.js',
      scripts: { start: 'node server.js' },
    }),
    'package-lock.json': '{"lockfileVersion":3}',
    'server.js': `const pad = require('left-pad');\nlet dev = 'absent';\ntry { require.resolve('devtool'); dev = 'present'; } catch {}\nconsole.log(pad('${greeting}', 3) + ' as ' + process.getuid() + ' in ' + process.cwd() + ', dev dependency ' + dev + ', MODE=' + process.env.MODE);\n`,
    'node_modules/left-pad/package.json': '{"name":"left-pad","main":"index.js"}',
    'node_modules/left-pad/index.js': 'module.exports = (text, n) => "-".repeat(n) + text;\n',
    'node_modules/devtool/package.json': '{"name":"devtool","main":"index.js"}',
    'node_modules/devtool/index.js': 'module.exports = 1;\n',
    'node_modules/.package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: {
        'node_modules/left-pad': { version: '1.0.0' },
        'node_modules/devtool': { version: '1.0.0', dev: true },
      },
    }),
    '.git/HEAD': 'ref: refs/heads/main\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('daemonless image build and push (real registry, skopeo, podman)', () => {
  let registry: TestRegistry;
  let base: string;
  const work = mkdtempSync(join(tmpdir(), 'aviary-image-'));
  const context = join(work, 'app');

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushNodeBaseImage(registry.host);
    writeApplication(context, 'hello');
  }, 180_000);
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function request(overrides: Partial<ImageRequest> = {}): ImageRequest {
    return {
      context,
      base: parseImageReference(base),
      target: { registry: registry.host, repository: 'team/app' },
      tags: [SHA, 'latest'],
      workdir: '/app',
      user: '1000',
      env: { MODE: 'production' },
      labels: {
        'org.opencontainers.image.source': 'https://git.example.com/team/app',
        'org.opencontainers.image.revision': SHA,
      },
      buildDir: join(work, 'build'),
      ...overrides,
    };
  }

  it('pushes an image that skopeo reads and podman runs with its entrypoint, workdir, user and env', async () => {
    const client = new RegistryClient({ credentials: {}, insecure: [] });
    const notes: string[] = [];
    const built = await new OciImageBuilder(client).build(request(), (text) => notes.push(text));
    expect(built.url).toBe(`${registry.host}/team/app:${SHA}@${built.digest}`);
    // The base layer was mounted from the base repository, not downloaded and uploaded again.
    expect(built.layers).toEqual({ uploaded: 2, mounted: 1, present: 0 });

    const inspected = skopeoInspect(`${registry.host}/team/app:${SHA}`);
    expect(inspected['Digest']).toBe(built.digest);
    expect(inspected['Labels']).toMatchObject({ 'org.opencontainers.image.revision': SHA });
    expect(inspected['Layers']).toHaveLength(3);
    expect(skopeoInspect(`${registry.host}/team/app:latest`)['Digest']).toBe(built.digest);
    const config = skopeoInspect(`${registry.host}/team/app:${SHA}`, false)['Env'];
    expect(config).toEqual(expect.arrayContaining(['MODE=production', 'PATH=/usr/local/bin:/bin']));

    const output = podmanRun(`${registry.host}/team/app:${SHA}`);
    expect(output.trim()).toBe('---hello as 1000 in /app, dev dependency absent, MODE=production');
  }, 120_000);

  it('builds the same digest from the same files, and a second build uploads no layer', async () => {
    const client = new RegistryClient({ credentials: {}, insecure: [] });
    const first = await new OciImageBuilder(client).build(request(), () => undefined);
    const again = await new OciImageBuilder(client).build(request(), () => undefined);
    expect(again.digest).toBe(first.digest);
    expect(again.layers).toEqual({ uploaded: 0, mounted: 0, present: 3 });
    expect(client.requests.blobUploads).toBe(0);
  }, 60_000);

  it('authenticates with a bearer token from the registry token service, and says when credentials are missing', async () => {
    const proxy = await startAuthProxy(registry.host, {
      mode: 'bearer',
      username: 'ci',
      password: 'registry-pass',
    });
    try {
      const client = new RegistryClient({
        credentials: { [proxy.host]: { username: 'ci', password: 'registry-pass' } },
        insecure: [],
      });
      writeApplication(context, 'token');
      const built = await new OciImageBuilder(client).build(
        request({
          base: parseImageReference(base.replace(registry.host, proxy.host)),
          target: { registry: proxy.host, repository: 'team/secure' },
          tags: [SHA],
        }),
        () => undefined,
      );
      expect(proxy.tokensIssued).toBeGreaterThan(0);
      expect(skopeoInspect(`${registry.host}/team/secure:${SHA}`)['Digest']).toBe(built.digest);

      const anonymous = new RegistryClient({ credentials: {}, insecure: [] });
      const error = await new OciImageBuilder(anonymous)
        .build(
          request({
            base: parseImageReference(base.replace(registry.host, proxy.host)),
            target: { registry: proxy.host, repository: 'team/secure' },
          }),
          () => undefined,
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toContain(`add ${proxy.host} to BUILDER_REGISTRY_CREDENTIALS`);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('authenticates with Basic credentials when the registry asks for them', async () => {
    const proxy = await startAuthProxy(registry.host, {
      mode: 'basic',
      username: 'ci',
      password: 'basic-pass',
    });
    try {
      const client = new RegistryClient({
        credentials: { [proxy.host]: { username: 'ci', password: 'basic-pass' } },
        insecure: [],
      });
      const built = await new OciImageBuilder(client).build(
        request({
          base: parseImageReference(base.replace(registry.host, proxy.host)),
          target: { registry: proxy.host, repository: 'team/basic' },
          tags: [SHA],
        }),
        () => undefined,
      );
      expect(skopeoInspect(`${registry.host}/team/basic:${SHA}`)['Digest']).toBe(built.digest);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
