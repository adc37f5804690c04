import { CheckoutSettings } from '@aviary/pipeline-spec';
import { displayUrl } from '../git/credentials.js';
import { type RepositoryCache } from '../git/repository-cache.js';
import { type StageWork } from './stage-runner.js';
import { type Workspaces } from './workspaces.js';
import { StageFailure } from './stage-failure.js';

const SHA = /^[0-9a-f]{7,64}$/;

/** `checkout`: the pushed commit, fetched through the repository cache into the execution's workspace. */
export class CheckoutStage {
  constructor(
    private readonly repositories: RepositoryCache,
    private readonly workspaces: Workspaces,
  ) {}

  async run({ command, log, signal, progress }: StageWork): Promise<Record<string, unknown>> {
    const settings = CheckoutSettings.parse(command.settings);
    const repository = settings.repository ?? command.trigger.repository;
    const sha = settings.ref;
    if (!SHA.test(sha))
      throw new StageFailure(
        'invalid-ref',
        `ref "${sha}" is not a commit id: check out \${trigger.sha} or a full sha`,
      );
    const started = Date.now();
    progress(`fetching ${sha.slice(0, 12)}`);
    log.system(`fetching ${sha} from ${displayUrl(repository)}`);
    const { fetched } = await this.repositories.ensureCommit(repository, sha, {
      depth: settings.depth,
      signal,
    });
    if (!fetched) log.system("the commit was already in the builder's cache: nothing fetched");
    const workspace = this.workspaces.pathOf(command.executionId);
    await this.repositories.checkout(repository, sha, workspace);
    const commit = await this.repositories.commitInfo(repository, sha);
    log.system(`checked out ${commit.sha} (${commit.message.split('\n')[0]}) in ${Date.now() - started} ms`);
    return {
      sha: commit.sha,
      ...(command.trigger.branch ? { branch: command.trigger.branch } : {}),
      ...(command.trigger.tag ? { tag: command.trigger.tag } : {}),
      commitMessage: commit.message,
      author: commit.author,
    };
  }
}
