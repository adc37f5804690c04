import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const GIT_ENV = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

/**
 * A developer's repository on this machine holding only `.aviary/pipeline.yaml`, with one branch per
 * pipeline the test pushes: the builder reads the file and checks the commit out from its `file://`
 * URL, as from any git host.
 */
export class PipelineRepository {
  readonly dir: string;
  /** Where the stages' commands write what they did: one file per execution. */
  readonly journal: string;

  constructor(prefix: string) {
    const root = mkdtempSync(join(tmpdir(), `aviary-${prefix}-`));
    this.dir = join(root, 'repo');
    this.journal = join(root, 'journal');
    mkdirSync(this.dir);
    mkdirSync(this.journal);
    this.git('init', '--quiet', '--initial-branch=main');
  }

  get url(): string {
    return pathToFileURL(this.dir).href;
  }

  /** Commits `pipeline` as `.aviary/pipeline.yaml` on `branch` (created from main); returns the sha. */
  commit(branch: string, pipeline: string, message = `pipeline for ${branch}`): string {
    if (branch !== 'main') this.git('checkout', '--quiet', '-B', branch, 'main');
    mkdirSync(join(this.dir, '.aviary'), { recursive: true });
    writeFileSync(join(this.dir, '.aviary', 'pipeline.yaml'), pipeline);
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '--no-gpg-sign', '-m', message);
    const sha = this.git('rev-parse', 'HEAD');
    if (branch !== 'main') this.git('checkout', '--quiet', 'main');
    return sha;
  }

  remove(): void {
    rmSync(join(this.dir, '..'), { recursive: true, force: true });
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: GIT_ENV, encoding: 'utf8' }).trim();
  }
}

/**
 * A `run` stage's command that appends `<stage> <attempt>` to the execution's journal file as it
 * starts (what the test counts to know how often each stage really ran), then keeps busy for
 * `sleepSeconds`. It holds a lock (flock, released by the kernel when its processes end, however
 * they end) on the stage while it runs: an attempt that starts while another of the same stage
 * still runs journals `<stage> <attempt> overlap`.
 */
export function journalingCommand(journal: string, sleepSeconds = 0): string {
  const file = `${journal}/$AVIARY_EXECUTION_ID`;
  const me = '$AVIARY_STAGE_ID $AVIARY_ATTEMPT';
  return (
    `(flock -n 9 || echo "${me} overlap" >> ${file}; echo "${me}" >> ${file}; sleep ${sleepSeconds})` +
    ` 9> ${file}.$AVIARY_STAGE_ID.lock`
  );
}
