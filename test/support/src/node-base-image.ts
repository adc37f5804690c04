import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const BUSYBOX = '/bin/busybox';
const PODMAN = '/usr/bin/podman';

function requireTool(path: string, install: string): void {
  if (!existsSync(path))
    throw new Error(`no ${path}: install it with \`apt-get install -y ${install}\` (CI does it in .ci/run)`);
}

/** The shared libraries a dynamically linked binary needs, as `ldd` lists them. */
function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=>\s*)?(\/[^\s]+)\s+\(0x/g)].map((match) => match[1]!);
}

let imported: string | undefined;

/**
 * A small Node.js base image built from this machine's files (nothing can be pulled from outside):
 * a static busybox for `/bin/sh`, the running Node.js binary at /usr/local/bin/node and the shared
 * libraries `ldd` says it needs, imported into podman once per process (and kept in podman's store
 * across runs under a tag naming the Node.js binary), then pushed to `registryHost/repository:tag`.
 */
export function pushNodeBaseImage(registryHost: string, repository = 'base/node', tag = '24'): string {
  requireTool(BUSYBOX, 'busybox-static');
  requireTool(PODMAN, 'podman runc');
  const node = process.execPath;
  if (!imported) {
    const version = createHash('sha256').update(readFileSync(node)).digest('hex').slice(0, 12);
    const local = `localhost/aviary-test-node-base:${version}`;
    const present = execFileSync(PODMAN, ['images', '--quiet', local], { encoding: 'utf8' }).trim();
    if (!present) {
      const root = mkdtempSync(join(tmpdir(), 'aviary-rootfs-'));
      try {
        const rootfs = join(root, 'rootfs');
        mkdirSync(join(rootfs, 'bin'), { recursive: true });
        mkdirSync(join(rootfs, 'tmp'), { recursive: true });
        mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
        copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
        for (const tool of ['sh', 'ls', 'cat', 'echo', 'env', 'sleep', 'id', 'pwd'])
          symlinkSync('busybox', join(rootfs, 'bin', tool));
        copyFileSync(node, join(rootfs, 'usr/local/bin/node'));
        for (const library of sharedLibraries(node)) {
          mkdirSync(join(rootfs, dirname(library)), { recursive: true });
          copyFileSync(library, join(rootfs, library));
        }
        execFileSync('tar', ['-C', rootfs, '-cf', join(root, 'rootfs.tar'), '.']);
        execFileSync(
          PODMAN,
          ['import', '--change', 'ENV PATH=/usr/local/bin:/bin', join(root, 'rootfs.tar'), local],
          {
            stdio: 'ignore',
          },
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    imported = local;
  }
  const target = `${registryHost}/${repository}:${tag}`;
  execFileSync(PODMAN, ['push', '--quiet', '--tls-verify=false', imported, `docker://${target}`], {
    stdio: 'ignore',
  });
  return target;
}

/** `podman run` as these machines allow it (runc, cgroupfs, explicit limits), pulling from a local registry. */
export function podmanRun(
  image: string,
  args: string[] = [],
  options: { env?: Record<string, string> } = {},
): string {
  requireTool(PODMAN, 'podman runc');
  const env = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  return execFileSync(
    PODMAN,
    [
      '--runtime',
      '/usr/sbin/runc',
      '--cgroup-manager=cgroupfs',
      'run',
      '--rm',
      '--ulimit',
      'nofile=20000:20000',
      '--ulimit',
      'nproc=1000:1000',
      '--network',
      'host',
      '--tls-verify=false',
      '--pull=always',
      ...env,
      image,
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** `skopeo inspect` of an image in a plain-HTTP registry, parsed. */
export function skopeoInspect(image: string, raw = false): Record<string, unknown> {
  requireTool('/usr/bin/skopeo', 'skopeo');
  const out = execFileSync(
    '/usr/bin/skopeo',
    ['inspect', ...(raw ? ['--raw'] : []), '--tls-verify=false', `docker://${image}`],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as Record<string, unknown>;
}
