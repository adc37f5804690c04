import { type SendOutcome } from '../../delivery/retry-policy.js';
import { type CommitStatus, repositoryPath } from '../commit-status.js';
import { type HttpPoster } from '../http.js';

const GITLAB_STATE = {
  pending: 'pending',
  running: 'running',
  success: 'success',
  failure: 'failed',
  canceled: 'canceled',
} as const;

/** Commit statuses on GitLab: `POST /projects/:path/statuses/:sha` with a token. */
export async function sendGitlabStatus(
  http: HttpPoster,
  options: { apiUrl: string; token: string },
  status: CommitStatus,
): Promise<SendOutcome> {
  const path = repositoryPath(status.repository);
  if (!path)
    return { ok: false, retryable: false, error: `${status.repository} is not a GitLab project path` };
  const url = `${options.apiUrl}/projects/${encodeURIComponent(path)}/statuses/${status.sha}`;
  const answer = await http.post(
    url,
    JSON.stringify({
      state: GITLAB_STATE[status.state],
      name: status.context,
      target_url: status.targetUrl,
      description: status.description,
    }),
    { 'private-token': options.token },
  );
  // GitLab refuses a status equal to the one it has ("Cannot transition status via :run from
  // :running"): the commit already shows it.
  if (
    answer.outcome.statusCode === 400 &&
    /Cannot transition status/i.test(JSON.stringify(answer.body ?? ''))
  )
    return { ok: true, retryable: false, statusCode: 400 };
  return answer.outcome;
}
