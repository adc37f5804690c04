import { z } from 'zod';
import { repositoryKey } from '../../applications/repository-key.js';
import { fieldErrors } from './fields.js';
import { verifyHmacSha256 } from './signatures.js';
import { branchOrTag, header, type Interpretation, type WebhookProvider } from './provider.js';

/** The documented body of `POST /webhooks/generic/:application`. */
export const GenericWebhookBody = z.object({
  repo: z.string().min(1).describe('the repository, as the application has it'),
  ref: z.string().regex(/^refs\/(heads|tags)\/.+/, 'refs/heads/<branch> or refs/tags/<tag>'),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/, 'a hexadecimal git commit id'),
  actor: z.string().min(1).max(200).optional(),
  message: z.string().max(10_000).optional(),
});

const WithRepo = z.object({ repo: GenericWebhookBody.shape.repo });

/**
 * Any other source (a script, a CI system): the application is in the path, the body is signed like
 * GitHub's (`X-Aviary-Signature: sha256=<HMAC-SHA256 of the raw body>`), `X-Request-UUID` names the
 * delivery.
 */
export const generic: WebhookProvider = {
  name: 'generic',
  signatureHeader: 'x-aviary-signature',
  deliveryHeader: 'x-request-uuid',
  event: () => 'push',

  repository(payload) {
    const parsed = WithRepo.safeParse(payload);
    if (!parsed.success) return fieldErrors(parsed.error)[0]!;
    const key = repositoryKey(parsed.data.repo);
    return { keys: key ? [key] : [], label: parsed.data.repo };
  },

  verify: (secret, body, headers) =>
    Promise.resolve(verifyHmacSha256(secret, body, header(headers, 'x-aviary-signature'))),

  interpret(_event, payload): Interpretation {
    const parsed = GenericWebhookBody.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', errors: fieldErrors(parsed.error) };
    const body = parsed.data;
    const ref = branchOrTag(body.ref)!;
    return {
      kind: 'push',
      ignored: [],
      triggers: [
        {
          ...ref,
          provider: 'generic',
          repository: body.repo,
          ref: body.ref,
          sha: body.sha,
          ...(body.actor === undefined ? {} : { actor: body.actor }),
          ...(body.message === undefined ? {} : { message: body.message }),
        },
      ],
    };
  },
};
