import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { type GithubAppCredentials } from '../../config/notifier-config.js';
import { networkOutcome, parseRetryAfter, type SendOutcome } from '../../delivery/retry-policy.js';
import { type CommitStatus, repositoryPath } from '../commit-status.js';

const GITHUB_STATE = {
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failure: 'failure',
  canceled: 'error',
} as const;

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Commit statuses on GitHub (or GitHub Enterprise) through @octokit/rest, with a token or as a GitHub App. */
export class GithubStatuses {
  private readonly tokenClient?: Octokit;
  private readonly installations = new Map<string, Promise<Octokit>>();

  constructor(
    private readonly options: {
      apiUrl: string;
      token?: string;
      app?: GithubAppCredentials;
      timeoutMs: number;
    },
  ) {
    if (options.token)
      this.tokenClient = new Octokit({ baseUrl: options.apiUrl, auth: options.token, log: silent });
  }

  async send(status: CommitStatus): Promise<SendOutcome> {
    const path = repositoryPath(status.repository);
    const [owner, repo, ...rest] = path?.split('/') ?? [];
    if (!owner || !repo || rest.length > 0)
      return {
        ok: false,
        retryable: false,
        error: `${status.repository} is not a GitHub repository (owner/repo)`,
      };
    try {
      const client = await this.clientFor(owner, repo);
      const response = await client.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: status.sha,
        state: GITHUB_STATE[status.state],
        context: status.context,
        description: status.description,
        target_url: status.targetUrl,
        request: { signal: AbortSignal.timeout(this.options.timeoutMs) },
      });
      return { ok: true, retryable: false, statusCode: response.status };
    } catch (error) {
      // An installation token may have been revoked: look it up again next time.
      this.installations.delete(`${owner}/${repo}`);
      return outcomeOf(error);
    }
  }

  private clientFor(owner: string, repo: string): Promise<Octokit> {
    const app = this.options.app;
    if (!app) return Promise.resolve(this.tokenClient!);
    const key = app.installationId ? '*' : `${owner}/${repo}`;
    let client = this.installations.get(key);
    if (!client) {
      client = this.installationClient(app, owner, repo);
      this.installations.set(key, client);
    }
    return client;
  }

  private async installationClient(app: GithubAppCredentials, owner: string, repo: string): Promise<Octokit> {
    let installationId = app.installationId;
    if (installationId === undefined) {
      const appClient = new Octokit({
        baseUrl: this.options.apiUrl,
        authStrategy: createAppAuth,
        auth: { appId: app.appId, privateKey: app.privateKey },
        log: silent,
      });
      const { data } = await appClient.rest.apps.getRepoInstallation({
        owner,
        repo,
        request: { signal: AbortSignal.timeout(this.options.timeoutMs) },
      });
      installationId = data.id;
    }
    return new Octokit({
      baseUrl: this.options.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: app.appId, privateKey: app.privateKey, installationId },
      log: silent,
    });
  }
}

/** GitHub's answers: 429, 5xx and rate-limited 403s (Retry-After, or no requests left) are retried. */
function outcomeOf(error: unknown): SendOutcome {
  const e = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string | undefined> };
  };
  if (typeof e.status !== 'number' || (e.status === 500 && !e.response)) return networkOutcome(error);
  const headers = e.response?.headers ?? {};
  const retryAfterMs =
    parseRetryAfter(headers['retry-after']) ??
    (headers['x-ratelimit-remaining'] === '0' && headers['x-ratelimit-reset']
      ? Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - Date.now())
      : undefined);
  const rateLimited = e.status === 429 || (e.status === 403 && retryAfterMs !== undefined);
  return {
    ok: false,
    retryable: rateLimited || e.status >= 500,
    statusCode: e.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    error: `GitHub ${e.status}: ${e.message ?? 'refused'}`.slice(0, 500),
  };
}
