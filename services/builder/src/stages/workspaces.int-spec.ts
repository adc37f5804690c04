import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitCredentials } from '../git/credentials.js';
import { RepositoryCache } from '../git/repository-cache.js';
import { type StageLog } from '../logs/stage-log.js';
import { TestRepository } from '../testing/git-fixtures.js';
import { Workspaces } from './workspaces.js';
import { pushStageCommand } from '../testing/stage-command.js';

describe('workspaces', () => {
  const work = mkdtempSync(join(tmpdir(), 'aviary-workspaces-'));
  const repo = new TestRepository();
  const log = { system: () => undefined } as unknown as StageLog;

  afterAll(() => {
    repo.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives parallel stages of an execution that finds no workspace one checkout, on one builder or several', async () => {
    const sha = repo.commit({ 'src/app.js': 'console.log(1)\n' }, 'first');
    const command = (stageId: string) => pushStageCommand({ repository: repo.url, sha, stageId });
    // Two builders sharing the work folder, each running two stages of the same execution at once.
    const builders = [1, 2].map(
      () =>
        new Workspaces(
          join(work, 'workspaces'),
          new RepositoryCache(join(work, 'git'), new GitCredentials({})),
        ),
    );
    const first = command('b');
    const stages = builders.flatMap((workspaces) =>
      ['b', 'c'].map((stageId) =>
        workspaces.ensure({ ...first, stageId }, log, new AbortController().signal),
      ),
    );
    const dirs = await Promise.all(stages);
    expect(new Set(dirs).size).toBe(1);
    expect(readFileSync(join(dirs[0]!, 'src', 'app.js'), 'utf8')).toBe('console.log(1)\n');
  });
});
