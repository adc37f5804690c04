import { verify } from '@octokit/webhooks-methods';
import { z } from 'zod';
import { repositoryKey } from '../../applications/repository-key.js';
import { fieldErrors } from './fields.js';
import { branchOrTag, header, type Headers, type Interpretation, type WebhookProvider } from './provider.js';

const Repository = z.object({
  html_url: z.string().min(1),
  clone_url: z.string().optional(),
  ssh_url: z.string().optional(),
  full_name: z.string().optional(),
});

const Push = z.object({
  ref: z.string().min(1),
  after: z.string(),
  deleted: z.boolean().default(false),
  commits: z.array(z.unknown()).default([]),
  head_commit: z.object({ id: z.string(), message: z.string().optional() }).nullable().optional(),
  pusher: z.object({ name: z.string().optional() }).optional(),
  sender: z.object({ login: z.string().optional() }).optional(),
  repository: Repository,
});

const WithRepository = z.object({ repository: Repository });

/** GitHub: `X-Hub-Signature-256` (HMAC-SHA256 of the raw body), `X-GitHub-Event`, `X-GitHub-Delivery`. */
export const github: WebhookProvider = {
  name: 'github',
  signatureHeader: 'x-hub-signature-256',
  deliveryHeader: 'x-github-delivery',
  event: (headers: Headers) => header(headers, 'x-github-event'),

  repository(payload) {
    const parsed = WithRepository.safeParse(payload);
    if (!parsed.success) return fieldErrors(parsed.error)[0]!;
    const { html_url, clone_url, ssh_url, full_name } = parsed.data.repository;
    const keys = [html_url, clone_url, ssh_url].flatMap((url) => (url ? [repositoryKey(url)] : []));
    return {
      keys: [...new Set(keys.filter((k): k is string => k !== undefined))],
      label: full_name ?? html_url,
    };
  },

  verify(secret, body, headers) {
    const signature = header(headers, 'x-hub-signature-256');
    if (!signature) return Promise.resolve(false);
    return verify(secret, body.toString('utf8'), signature);
  },

  interpret(event, payload): Interpretation {
    if (event === 'ping') return { kind: 'ping' };
    if (event !== 'push') return { kind: 'ignore', reason: `ignored: ${event}` };
    const parsed = Push.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', errors: fieldErrors(parsed.error) };
    const push = parsed.data;
    const ref = branchOrTag(push.ref);
    if (!ref) return { kind: 'ignore', reason: `ignored: push to ${push.ref}, neither a branch nor a tag` };
    if (push.deleted)
      return {
        kind: 'ignore',
        reason: `ignored: ${ref.kind === 'tag' ? 'tag' : 'branch'} deletion (${push.ref})`,
      };
    if (ref.kind === 'push' && push.commits.length === 0)
      return { kind: 'ignore', reason: `ignored: push with no commits to ${push.ref}` };
    const sha = push.head_commit?.id ?? push.after;
    return {
      kind: 'push',
      ignored: [],
      triggers: [
        {
          ...ref,
          provider: 'github',
          repository: push.repository.html_url,
          ref: push.ref,
          sha,
          ...((push.sender?.login ?? push.pusher?.name)
            ? { actor: push.sender?.login ?? push.pusher?.name }
            : {}),
          ...(push.head_commit?.message === undefined ? {} : { message: push.head_commit.message }),
        },
      ],
    };
  },
};
