import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the sample app keeps out of git (its .gitignore) and what a copy must not carry along. */
const NOT_COPIED = new Set(['node_modules', 'coverage', 'reports', '.git']);

export interface Commit {
  sha: string;
  message: string;
}

/** The demo's analysis: short enough for the demo, with enough points per interval to judge. */
export interface AnalysisTiming {
  lifetime: string;
  interval: string;
  delay: string;
  step: string;
}

export const DEMO_ANALYSIS: AnalysisTiming = { lifetime: '40s', interval: '20s', delay: '5s', step: '2s' };

/**
 * A git repository of examples/sample-app in a temporary folder, committed on `main` as a developer
 * would: the demo pushes its commits to Aviary (a webhook naming `file://<folder>`), and the builder
 * clones it from there.
 */
export class SampleRepository {
  private constructor(
    readonly dir: string,
    private readonly author: string,
    private readonly path: string | undefined,
  ) {}

  /** `file://` URL of the repository: what the application is registered with and the builder clones. */
  get url(): string {
    return pathToFileURL(this.dir).href;
  }

  /** `path`: the PATH git is found on. */
  static async create(
    sampleApp: string,
    path: string | undefined,
    author = 'Ada Demo <ada@example.com>',
  ): Promise<SampleRepository> {
    const dir = await mkdtemp(join(tmpdir(), 'aviary-demo-sample-app-'));
    await cp(sampleApp, dir, {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(relative(sampleApp, source).split(/[/\\]/)[0] ?? ''),
    });
    const repository = new SampleRepository(dir, author, path);
    await repository.git('init', '--quiet', '--initial-branch=main');
    return repository;
  }

  /** Commits everything in the folder; returns the commit. */
  async commit(message: string): Promise<Commit> {
    await this.git('add', '--all');
    const [name, email] = /^(.*) <(.*)>$/.exec(this.author)!.slice(1) as [string, string];
    await this.git(
      '-c',
      `user.name=${name}`,
      '-c',
      `user.email=${email}`,
      'commit',
      '--quiet',
      '--no-gpg-sign',
      '-m',
      message,
    );
    const sha = (await this.git('rev-parse', 'HEAD')).trim();
    return { sha, message };
  }

  /** Rewrites a file of the repository (relative path) through `change`. */
  async edit(path: string, change: (text: string) => string): Promise<void> {
    const file = join(this.dir, path);
    const before = await readFile(file, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`the demo's change to ${path} changed nothing`);
    await writeFile(file, after);
  }

  /**
   * The pipeline file as the demo runs it: the sample app's own, with the analysis timing the demo
   * can wait for, and the canary on or off.
   */
  async setPipeline(options: { canaryEnabled: boolean; analysis: AnalysisTiming }): Promise<void> {
    await this.edit('.aviary/pipeline.yaml', (text) => {
      const canary = [
        'canary:',
        `  lifetime: ${options.analysis.lifetime}`,
        `  interval: ${options.analysis.interval}`,
        `  delay: ${options.analysis.delay}`,
        `  step: ${options.analysis.step}`,
      ].join('\n');
      const replaced = text
        .replace(/^canaryEnabled: .*$/m, `canaryEnabled: ${options.canaryEnabled}`)
        .replace(/^canary:\n(?: {2}(?!thresholds).*\n)+/m, `${canary}\n`);
      return replaced;
    });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async git(...args: string[]): Promise<string> {
    const { stdout } = await run('git', args, {
      cwd: this.dir,
      env: { PATH: this.path, HOME: this.dir, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    });
    return stdout;
  }
}
