import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type StageCommandData } from '@aviary/events';
import { KeyedMutex } from '../git/keyed-mutex.js';
import { type RepositoryCache } from '../git/repository-cache.js';
import { type StageLog } from '../logs/stage-log.js';
import { StageFailure } from './stage-failure.js';

/**
 * One workspace per execution, shared by its stages (checkout, install, lint, test, build), under
 * the builder's work folder. A stage that finds no workspace (its execution's earlier stages ran on
 * another replica without a shared work folder) checks the commit out again and says so.
 */
export class Workspaces {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly root: string,
    private readonly repositories: RepositoryCache,
  ) {}

  pathOf(executionId: string): string {
    return join(this.root, encodeURIComponent(executionId).replaceAll('%', '_'));
  }

  /**
   * Parallel stages of one execution may all find no workspace, here or on other builders sharing
   * the folder: one checks out at a time on a builder, into a folder of its own renamed into place,
   * so that no stage ever sees (or removes) a workspace another is still making.
   */
  async ensure(command: StageCommandData, log: StageLog, signal: AbortSignal): Promise<string> {
    const dir = this.pathOf(command.executionId);
    if (existsSync(join(dir, '.git'))) return dir;
    return this.mutex.run(dir, async () => {
      if (existsSync(join(dir, '.git'))) return dir;
      const { repository, sha } = command.trigger;
      log.system(
        `no workspace for this execution on this builder (its earlier stages ran elsewhere): checking out ${sha} again`,
      );
      await this.repositories.ensureCommit(repository, sha, { signal });
      const building = `${dir}.new-${randomBytes(4).toString('hex')}`;
      try {
        await this.repositories.checkout(repository, sha, building);
        await rename(building, dir).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
          if (existsSync(join(dir, '.git'))) return; // another builder's checkout won
          await rm(dir, { recursive: true, force: true }); // a leftover without a repository
          await rename(building, dir);
        });
      } finally {
        await rm(building, { recursive: true, force: true });
      }
      return dir;
    });
  }

  /** `relativePath` inside the workspace; a path leading out of it fails the stage. */
  inside(workspace: string, relativePath: string | undefined, what: string): string {
    if (relativePath === undefined) return workspace;
    const target = resolve(workspace, relativePath);
    const rel = relative(workspace, target);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new StageFailure('invalid-path', `${what} "${relativePath}" is outside the workspace`);
    return target;
  }

  /** Removes workspaces not touched for `ttlMs`. */
  async sweep(ttlMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return 0;
    }
    for (const entry of entries) {
      const dir = join(this.root, entry);
      const info = await stat(dir).catch(() => undefined);
      if (info && now - info.mtimeMs > ttlMs) {
        await rm(dir, { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
