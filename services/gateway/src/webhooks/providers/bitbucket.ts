import { z } from 'zod';
import { repositoryKey } from '../../applications/repository-key.js';
import { fieldErrors } from './fields.js';
import { verifyHmacSha256 } from './signatures.js';
import { header, type Interpretation, type TriggerDraft, type WebhookProvider } from './provider.js';

const Repository = z.object({
  full_name: z.string().min(1),
  links: z.object({ html: z.object({ href: z.string().min(1) }) }),
});

const Ref = z.object({
  type: z.enum(['branch', 'tag', 'named_branch', 'bookmark']),
  name: z.string().min(1),
  target: z.object({ hash: z.string(), message: z.string().optional() }),
});

const Push = z.object({
  push: z.object({
    changes: z.array(
      z.object({
        new: Ref.nullable(),
        old: Ref.nullable().optional(),
        closed: z.boolean().optional(),
        commits: z.array(z.unknown()).optional(),
      }),
    ),
  }),
  actor: z.object({ nickname: z.string().optional(), display_name: z.string().optional() }).optional(),
  repository: Repository,
});

const WithRepository = z.object({ repository: Repository });

/** Bitbucket Cloud: `X-Hub-Signature` (sha256=HMAC of the raw body), `X-Event-Key`, `X-Request-UUID`. */
export const bitbucket: WebhookProvider = {
  name: 'bitbucket',
  signatureHeader: 'x-hub-signature',
  deliveryHeader: 'x-request-uuid',
  event: (headers) => header(headers, 'x-event-key'),

  repository(payload) {
    const parsed = WithRepository.safeParse(payload);
    if (!parsed.success) return fieldErrors(parsed.error)[0]!;
    const { full_name, links } = parsed.data.repository;
    const key = repositoryKey(links.html.href);
    return { keys: key ? [key] : [], label: full_name };
  },

  verify: (secret, body, headers) =>
    Promise.resolve(verifyHmacSha256(secret, body, header(headers, 'x-hub-signature'))),

  interpret(event, payload): Interpretation {
    if (event === 'diagnostics:ping') return { kind: 'ping' };
    if (event !== 'repo:push') return { kind: 'ignore', reason: `ignored: ${event}` };
    const parsed = Push.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', errors: fieldErrors(parsed.error) };
    const { push, actor, repository } = parsed.data;
    const triggers: TriggerDraft[] = [];
    const ignored: string[] = [];
    for (const change of push.changes) {
      const changed = change.new ?? change.old;
      const name = changed ? `${changed.type} ${changed.name}` : 'a ref';
      if (!change.new || change.closed) {
        ignored.push(`ignored: ${changed?.type === 'tag' ? 'tag' : 'branch'} deletion (${name})`);
        continue;
      }
      const isTag = change.new.type === 'tag';
      if (!isTag && change.commits !== undefined && change.commits.length === 0) {
        ignored.push(`ignored: push with no commits to ${name}`);
        continue;
      }
      triggers.push({
        ...(isTag
          ? { kind: 'tag' as const, tag: change.new.name }
          : { kind: 'push' as const, branch: change.new.name }),
        provider: 'bitbucket',
        repository: repository.links.html.href,
        ref: `${isTag ? 'refs/tags' : 'refs/heads'}/${change.new.name}`,
        sha: change.new.target.hash,
        ...((actor?.nickname ?? actor?.display_name)
          ? { actor: actor?.nickname ?? actor?.display_name }
          : {}),
        ...(change.new.target.message === undefined ? {} : { message: change.new.target.message }),
      });
    }
    if (triggers.length === 0)
      return { kind: 'ignore', reason: ignored.join('; ') || 'ignored: a push with no changes' };
    return { kind: 'push', triggers, ignored };
  },
};
