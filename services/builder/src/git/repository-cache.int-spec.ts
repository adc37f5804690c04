import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskSecrets } from '@aviary/observability';
import { GitCredential } from '../config/builder-config.js';
import { GitCredentials } from './credentials.js';
import { CheckoutError } from './git-errors.js';
import { RepositoryCache } from './repository-cache.js';
import { serveGitOverHttp, TestRepository, type GitHttpServer } from '../testing/git-fixtures.js';

/** Kilobytes of objects in a repository (loose and packed). */
function objectKiB(gitDir: string): number {
  const out = execFileSync('git', ['count-objects', '-v'], { cwd: gitDir, encoding: 'utf8' });
  const value = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return value('size') + value('size-pack');
}

async function failure(promise: Promise<unknown>): Promise<CheckoutError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CheckoutError) return error;
    throw error;
  }
  throw new Error('expected a CheckoutError');
}

describe('checkout through the repository cache (real git)', () => {
  const work = mkdtempSync(join(tmpdir(), 'aviary-checkout-'));
  const repo = new TestRepository();
  const TOKEN = `tok_${randomBytes(12).toString('hex')}`;
  let http: GitHttpServer;
  let open: GitHttpServer;

  beforeAll(async () => {
    http = await serveGitOverHttp(repo.root, { token: TOKEN });
    open = await serveGitOverHttp(repo.root);
  });
  afterAll(async () => {
    await http.close();
    await open.close();
    repo.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('checks out exactly the pushed commit, and a second build fetches only what changed', async () => {
    const big = randomBytes(400_000);
    const first = repo.commit({ 'big.bin': big, 'src/app.js': 'console.log(1)\n' }, 'first\n\nwith a body');
    const second = repo.commit({ 'src/app.js': 'console.log(2)\n' }, 'second');
    const cache = new RepositoryCache(join(work, 'git-a'), new GitCredentials({}));

    expect(await cache.ensureCommit(repo.url, first)).toEqual({ fetched: true });
    await cache.checkout(repo.url, first, join(work, 'ws1'));
    expect(readFileSync(join(work, 'ws1', 'src/app.js'), 'utf8')).toBe('console.log(1)\n');
    const afterFirst = objectKiB(cache.mirrorOf(repo.url));
    expect(afterFirst).toBeGreaterThan(350);

    expect(await cache.ensureCommit(repo.url, second)).toEqual({ fetched: true });
    const grown = objectKiB(cache.mirrorOf(repo.url)) - afterFirst;
    // The 400 KB file did not change: only the new commit, its trees and one small blob came.
    expect(grown).toBeLessThan(40);
    await cache.checkout(repo.url, second, join(work, 'ws2'));
    expect(readFileSync(join(work, 'ws2', 'src/app.js'), 'utf8')).toBe('console.log(2)\n');
    // The workspace borrows the mirror's objects instead of copying them.
    expect(objectKiB(join(work, 'ws2', '.git'))).toBeLessThan(40);
    // Shallow: one commit of history, and git commands in the workspace work.
    const log = execFileSync('git', ['log', '--format=%s'], { cwd: join(work, 'ws2'), encoding: 'utf8' });
    expect(log.trim()).toBe('second');

    expect(await cache.ensureCommit(repo.url, second)).toEqual({ fetched: false });
    expect(await cache.commitInfo(repo.url, first)).toEqual({
      sha: first,
      author: 'Dev <dev@example.com>',
      message: 'first\n\nwith a body',
    });
  });

  it('reads one file at a commit from the cache, and says when the commit has no such file', async () => {
    const sha = repo.commit({ '.aviary/pipeline.yaml': 'preset: node-service\nname: app\n' }, 'pipeline');
    const cache = new RepositoryCache(join(work, 'git-b'), new GitCredentials({}));
    const content = await cache.readFile(repo.url, sha, '.aviary/pipeline.yaml');
    expect(content?.toString()).toBe('preset: node-service\nname: app\n');
    expect(await cache.readFile(repo.url, sha, 'missing.yaml')).toBeUndefined();
  });

  it('fetches again what it had when its folder was removed or replaced under it, never answering "no such file"', async () => {
    const sha = repo.commit({ 'kept.txt': 'kept\n' }, 'kept');
    const cache = new RepositoryCache(join(work, 'git-removed'), new GitCredentials({}));
    expect((await cache.readFile(repo.url, sha, 'kept.txt'))?.toString()).toBe('kept\n');
    rmSync(cache.mirrorOf(repo.url), { recursive: true, force: true });
    expect((await cache.readFile(repo.url, sha, 'kept.txt'))?.toString()).toBe('kept\n');
    // Replaced by an empty mirror (another builder sharing the folder made it anew).
    rmSync(cache.mirrorOf(repo.url), { recursive: true, force: true });
    execFileSync('git', ['init', '--quiet', '--bare', cache.mirrorOf(repo.url)]);
    execFileSync('git', ['remote', 'add', 'origin', repo.url], { cwd: cache.mirrorOf(repo.url) });
    expect((await cache.readFile(repo.url, sha, 'kept.txt'))?.toString()).toBe('kept\n');
    await cache.checkout(repo.url, sha, join(work, 'ws-removed'));
    expect(readFileSync(join(work, 'ws-removed', 'kept.txt'), 'utf8')).toBe('kept\n');
  });

  it('authenticates over HTTPS with the configured token, through the environment only', async () => {
    const sha = repo.commit({ 'auth.txt': 'private\n' }, 'auth');
    const url = http.url('app.git');
    const cache = new RepositoryCache(
      join(work, 'git-c'),
      new GitCredentials({ [http.host]: GitCredential.parse(TOKEN) }),
    );
    await cache.ensureCommit(url, sha);
    await cache.checkout(url, sha, join(work, 'ws-auth'));
    expect(readFileSync(join(work, 'ws-auth', 'auth.txt'), 'utf8')).toBe('private\n');
    // The token is in neither repository's configuration, and is masked wherever it might be printed.
    for (const dir of [cache.mirrorOf(url), join(work, 'ws-auth', '.git')])
      expect(readFileSync(join(dir, 'config'), 'utf8')).not.toContain(TOKEN);
    expect(maskSecrets(`header was ${TOKEN}`)).toBe('header was ****');
  });

  it('reports a refused or missing token as an authentication failure a user can act on', async () => {
    const sha = repo.commit({ 'x.txt': 'x\n' }, 'x');
    const missing = new RepositoryCache(join(work, 'git-d'), new GitCredentials({}));
    const noToken = await failure(missing.ensureCommit(http.url('app.git'), sha));
    expect(noToken.code).toBe('authentication-failed');
    expect(noToken.message).toContain(`give the builder a token for ${http.host}`);

    const wrong = new RepositoryCache(
      join(work, 'git-e'),
      new GitCredentials({ [http.host]: GitCredential.parse('not-the-token') }),
    );
    const refused = await failure(wrong.ensureCommit(http.url('app.git'), sha));
    expect(refused.code).toBe('authentication-failed');
    expect(refused.message).not.toContain('not-the-token');
  });

  it('reports a repository that does not exist, over HTTP and on disk', async () => {
    const cache = new RepositoryCache(join(work, 'git-f'), new GitCredentials({}));
    const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    const overHttp = await failure(cache.ensureCommit(open.url('nope.git'), sha));
    expect(overHttp.code).toBe('repository-not-found');
    expect(overHttp.message).toContain(`repository not found: ${open.url('nope.git')}`);
    const onDisk = await failure(cache.ensureCommit(`file://${work}/nowhere.git`, sha));
    expect(onDisk.code).toBe('repository-not-found');
  });

  it('reports a commit that was force-pushed away', async () => {
    const gone = repo.commit({ 'gone.txt': 'soon gone\n' }, 'to be rewritten');
    repo.amendAndForcePush({ 'gone.txt': 'replaced\n' });
    const cache = new RepositoryCache(join(work, 'git-g'), new GitCredentials({}));
    const error = await failure(cache.ensureCommit(open.url('app.git'), gone));
    expect(error.code).toBe('sha-not-found');
    expect(error.message).toContain(`commit ${gone} is not in`);
    expect(error.message).toContain('force-pushed');
  });
  it('shares its folder with other builders: replicas reading the same commits at once all succeed', async () => {
    // Several builder processes on one work folder (a shared volume): separate caches, one root.
    const root = join(work, 'git-shared');
    const commits = [1, 2, 3, 4].map((n) =>
      repo.commit({ '.aviary/pipeline.yaml': `name: app-${n}\n` }, `pipeline ${n}`),
    );
    const replicas = [1, 2, 3, 4].map(() => new RepositoryCache(root, new GitCredentials({})));
    const reads = replicas.flatMap((cache) =>
      commits.map((sha) => cache.readFile(repo.url, sha, '.aviary/pipeline.yaml')),
    );
    const contents = (await Promise.all(reads)).map((content) => content?.toString('utf8'));
    expect(contents).toEqual(replicas.flatMap(() => [1, 2, 3, 4].map((n) => `name: app-${n}\n`)));
  });
});
