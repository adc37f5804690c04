import { z } from 'zod';
import { repositoryKey } from '../../applications/repository-key.js';
import { fieldErrors } from './fields.js';
import { sameSecret } from './signatures.js';
import { ZERO_SHA, branchOrTag, header, type Interpretation, type WebhookProvider } from './provider.js';

const Project = z.object({
  web_url: z.string().min(1),
  git_http_url: z.string().optional(),
  git_ssh_url: z.string().optional(),
  path_with_namespace: z.string().optional(),
});

const Push = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string().min(1),
  after: z.string(),
  checkout_sha: z.string().nullable().optional(),
  user_username: z.string().optional(),
  total_commits_count: z.int().min(0).optional(),
  commits: z.array(z.object({ id: z.string(), message: z.string().optional() })).default([]),
  project: Project,
});

const WithProject = z.object({ project: Project });

/** GitLab: the shared secret in `X-Gitlab-Token`, `X-Gitlab-Event`, `X-Gitlab-Event-UUID`. */
export const gitlab: WebhookProvider = {
  name: 'gitlab',
  signatureHeader: 'x-gitlab-token',
  deliveryHeader: 'x-gitlab-event-uuid',
  event: (headers) => header(headers, 'x-gitlab-event'),

  repository(payload) {
    const parsed = WithProject.safeParse(payload);
    if (!parsed.success) return fieldErrors(parsed.error)[0]!;
    const { web_url, git_http_url, git_ssh_url, path_with_namespace } = parsed.data.project;
    const keys = [web_url, git_http_url, git_ssh_url].flatMap((url) => (url ? [repositoryKey(url)] : []));
    return {
      keys: [...new Set(keys.filter((k): k is string => k !== undefined))],
      label: path_with_namespace ?? web_url,
    };
  },

  verify: (secret, _body, headers) => Promise.resolve(sameSecret(secret, header(headers, 'x-gitlab-token'))),

  interpret(event, payload): Interpretation {
    if (event !== 'Push Hook' && event !== 'Tag Push Hook')
      return { kind: 'ignore', reason: `ignored: ${event}` };
    const parsed = Push.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', errors: fieldErrors(parsed.error) };
    const push = parsed.data;
    const ref = branchOrTag(push.ref);
    if (!ref) return { kind: 'ignore', reason: `ignored: push to ${push.ref}, neither a branch nor a tag` };
    if (ZERO_SHA.test(push.after))
      return {
        kind: 'ignore',
        reason: `ignored: ${ref.kind === 'tag' ? 'tag' : 'branch'} deletion (${push.ref})`,
      };
    if (ref.kind === 'push' && (push.total_commits_count ?? push.commits.length) === 0)
      return { kind: 'ignore', reason: `ignored: push with no commits to ${push.ref}` };
    const sha = push.checkout_sha ?? push.after;
    const head = push.commits.find((commit) => commit.id === sha);
    return {
      kind: 'push',
      ignored: [],
      triggers: [
        {
          ...ref,
          provider: 'gitlab',
          repository: push.project.web_url,
          ref: push.ref,
          sha,
          ...(push.user_username ? { actor: push.user_username } : {}),
          ...(head?.message === undefined ? {} : { message: head.message }),
        },
      ],
    };
  },
};
