import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ChangedLines, parseUnifiedDiff } from '@aviary/quality-gate';
import { CheckoutError, classifyGitFailure } from './git-errors.js';
import { type GitCredentials, displayUrl, repositoryHost } from './credentials.js';
import { runGit, type GitResult } from './git-cli.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface CommitInfo {
  sha: string;
  author: string;
  message: string;
}

export interface FetchOutcome {
  /** False when the mirror already had the commit: nothing went over the network. */
  fetched: boolean;
}

const SHA = /^[0-9a-f]{7,64}$/;
/** What git says when another process fetches into the mirror at the same time (its lock files). */
const CONTENDED =
  /Unable to create '[^']*\.lock'|cannot lock ref|could not lock|is locked|shallow file has changed since we read it/i;
const LOCK_ATTEMPTS = 20;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * One bare mirror per repository, kept between builds. A checkout fetches exactly the pushed commit,
 * shallow, into the mirror; what the mirror already holds is not fetched again (its earlier commits
 * are announced as "have"s), so a second build of a repository downloads only what changed. A
 * workspace is a repository that borrows the mirror's objects (git alternates) and checks the commit
 * out: no object is copied.
 */
export class RepositoryCache {
  private readonly mutex = new KeyedMutex();
  /**
   * Commits seen in a mirror (`<mirror>\0<sha>`): a mirror keeps every commit it fetched, so each is
   * looked up with git once, not before every checkout, file read and diff. A git command that then
   * misses the commit (the cache folder was removed under the builder) forgets it.
   */
  private readonly known = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly credentials: GitCredentials,
    private readonly baseEnv: Record<string, string | undefined> = {},
  ) {}

  /** Makes sure the mirror of `url` has commit `sha`, fetching it (depth `depth`) when it does not. */
  ensureCommit(
    url: string,
    sha: string,
    options: { depth?: number; signal?: AbortSignal } = {},
  ): Promise<FetchOutcome> {
    if (!SHA.test(sha)) throw new CheckoutError('sha-not-found', `"${sha}" is not a commit id`);
    const mirror = this.mirrorOf(url);
    return this.mutex.run(mirror, async () => {
      const mirrored = await this.initMirror(mirror, url);
      if (mirrored && this.known.has(`${mirror}\0${sha}`)) return { fetched: false };
      const depth = options.depth ?? 1;
      // Other builders may share the folder (a volume mounted by every replica): a fetch that meets
      // theirs (git's lock files) waits a moment and looks again, and finds the commit fetched or
      // fetches it.
      for (let attempt = 1; ; attempt++) {
        if (await this.hasCommit(mirror, sha)) return { fetched: false };
        const result = await this.git(
          ['fetch', '--quiet', '--no-tags', `--depth=${depth}`, 'origin', `+${sha}:refs/aviary/${sha}`],
          { cwd: mirror, url, signal: options.signal },
        );
        if (result.code === 0) break;
        if (attempt >= LOCK_ATTEMPTS || !CONTENDED.test(result.stderr)) throw this.failure(result, url, sha);
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 150)));
      }
      if (!(await this.hasCommit(mirror, sha))) {
        throw classifyGitFailure('reference is not a tree', {
          repository: displayUrl(url),
          sha,
          host: repositoryHost(url),
        });
      }
      return { fetched: true };
    });
  }

  /** A fresh workspace at `dir` with `sha` checked out (the commit must be in the mirror). */
  async checkout(url: string, sha: string, dir: string): Promise<void> {
    const mirror = this.mirrorOf(url);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await this.mustSucceed(['init', '--quiet'], dir, url, sha);
    await writeFile(join(dir, '.git', 'objects', 'info', 'alternates'), `${join(mirror, 'objects')}\n`);
    if (await exists(join(mirror, 'shallow')))
      await copyFile(join(mirror, 'shallow'), join(dir, '.git', 'shallow'));
    await this.mustSucceed(['remote', 'add', 'origin', displayUrl(url)], dir, url, sha);
    try {
      await this.mustSucceed(['checkout', '--quiet', '--detach', sha], dir, url, sha);
    } catch (error) {
      this.known.delete(`${mirror}\0${sha}`);
      throw error;
    }
  }

  async commitInfo(url: string, sha: string): Promise<CommitInfo> {
    const result = await this.git(['log', '-1', '--format=%H%n%an <%ae>%n%B', sha], {
      cwd: this.mirrorOf(url),
      url,
    });
    if (result.code !== 0) throw this.failure(result, url, sha);
    const [full = sha, author = '', ...message] = result.stdout.toString('utf8').split('\n');
    return { sha: full, author, message: message.join('\n').trim() };
  }

  /** The content of `path` at `sha`, or undefined when the commit has no such file. */
  async readFile(url: string, sha: string, path: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    await this.ensureCommit(url, sha, { signal });
    const clean = path.replace(/^\.?\/+/, '');
    const mirror = this.mirrorOf(url);
    const result = await this.git(['cat-file', 'blob', `${sha}:${clean}`], { cwd: mirror, url });
    if (result.code === 0) return result.stdout;
    if (/does not exist|not a valid object name|exists on disk, but not in/i.test(result.stderr)) {
      // No such file, or no such commit any more: only a commit really there makes it "no such file".
      if (await this.hasCommit(mirror, sha)) return undefined;
      this.known.delete(`${mirror}\0${sha}`);
      return this.readFile(url, sha, path, signal);
    }
    throw this.failure(result, url, sha);
  }

  /**
   * The lines added or changed from `base` to `head`, per file of `head` (renames followed). Both
   * commits are fetched shallow when the mirror lacks them: a tree diff needs no history between.
   */
  async changedLines(url: string, base: string, head: string, signal?: AbortSignal): Promise<ChangedLines> {
    await this.ensureCommit(url, base, { signal });
    await this.ensureCommit(url, head, { signal });
    const mirror = this.mirrorOf(url);
    const result = await this.git(
      ['diff', '--unified=0', '--no-color', '--no-ext-diff', '--find-renames', `${base}`, `${head}`, '--'],
      { cwd: mirror, url, signal },
    );
    if (result.code !== 0) {
      this.known.delete(`${mirror}\0${base}`);
      this.known.delete(`${mirror}\0${head}`);
      throw this.failure(result, url, head);
    }
    return parseUnifiedDiff(result.stdout.toString('utf8'));
  }

  /** The mirror's folder (for tests and diagnostics). */
  mirrorOf(url: string): string {
    const name =
      basename(displayUrl(url).replace(/\/+$/, ''), '.git').replace(/[^A-Za-z0-9._-]/g, '_') || 'repository';
    const key = createHash('sha256').update(displayUrl(url)).digest('hex').slice(0, 16);
    return join(this.root, `${key}-${name}.git`);
  }

  /**
   * Creates the mirror whole or not at all: it is set up in a folder of its own and renamed into
   * place, so that another builder sharing the folder never sees it half made (a mirror without
   * its remote yet), and the one that loses the race uses the winner's. False: it was not there.
   */
  private async initMirror(mirror: string, url: string): Promise<boolean> {
    if (await exists(join(mirror, 'HEAD'))) return true;
    await mkdir(dirname(mirror), { recursive: true });
    const building = await mkdtemp(`${mirror}.new-`);
    try {
      await this.mustSucceed(['init', '--quiet', '--bare'], building, url);
      // The URL is stored without credentials: those come from the environment of each fetch.
      await this.mustSucceed(['remote', 'add', 'origin', displayUrl(url)], building, url);
      // Keep small fetches loose-free, so the cache stays a few packs rather than many files.
      await this.mustSucceed(['config', 'fetch.unpackLimit', '1'], building, url);
      await rename(building, mirror).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    return false;
  }

  private async hasCommit(mirror: string, sha: string): Promise<boolean> {
    const result = await runGit(['cat-file', '-e', `${sha}^{commit}`], {
      cwd: mirror,
      baseEnv: this.baseEnv,
    });
    if (result.code === 0) this.known.add(`${mirror}\0${sha}`);
    return result.code === 0;
  }

  private async mustSucceed(args: string[], cwd: string, url: string, sha?: string): Promise<void> {
    const result = await this.git(args, { cwd, url });
    if (result.code !== 0) throw this.failure(result, url, sha);
  }

  private git(
    args: string[],
    options: { cwd: string; url: string; signal?: AbortSignal },
  ): Promise<GitResult> {
    return runGit(args, {
      cwd: options.cwd,
      env: this.credentials.environmentFor(options.url),
      signal: options.signal,
      baseEnv: this.baseEnv,
    });
  }

  private failure(result: GitResult, url: string, sha?: string): CheckoutError {
    return classifyGitFailure(result.stderr, { repository: displayUrl(url), sha, host: repositoryHost(url) });
  }
}
