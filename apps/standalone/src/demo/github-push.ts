import { createHmac, randomUUID } from 'node:crypto';
import { type Commit } from './sample-repository.js';

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/**
 * A GitHub `push` webhook for a commit on a branch, as GitHub sends it (the fields Aviary reads, in
 * GitHub's shape), signed with the application's webhook secret (`X-Hub-Signature-256`).
 */
export function githubPush(options: {
  repositoryUrl: string;
  fullName: string;
  branch: string;
  before: string;
  commit: Commit;
  pusher: string;
  secret: string;
}): SignedWebhook {
  const { commit } = options;
  const body = JSON.stringify({
    ref: `refs/heads/${options.branch}`,
    before: options.before,
    after: commit.sha,
    created: false,
    deleted: false,
    forced: false,
    commits: [{ id: commit.sha, message: commit.message, distinct: true }],
    head_commit: { id: commit.sha, message: commit.message },
    pusher: { name: options.pusher },
    sender: { login: options.pusher },
    repository: {
      full_name: options.fullName,
      html_url: options.repositoryUrl,
      clone_url: options.repositoryUrl,
      default_branch: options.branch,
    },
  });
  const signature = createHmac('sha256', options.secret).update(body).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
      'user-agent': 'GitHub-Hookshot/aviary-demo',
    },
  };
}
