import { z } from 'zod';

export const Id = z.string().min(1).max(200);
export const ApplicationName = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'lowercase letters, digits and dashes, at most 63 characters',
  );
export const GitSha = z.string().regex(/^[0-9a-f]{7,64}$/, 'a hexadecimal git commit id');
export const Timestamp = z.iso.datetime({ offset: true });
export const JsonRecord = z.record(z.string(), z.unknown());

/** What made an execution start: the push (or a person) and the commit it is about. */
export const Trigger = z.object({
  kind: z.enum(['push', 'tag', 'manual', 'api']),
  provider: z.enum(['github', 'gitlab', 'bitbucket', 'generic', 'aviary']),
  repository: z.string().min(1),
  ref: z.string().min(1),
  branch: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  sha: GitSha,
  actor: z.string().min(1).optional(),
  message: z.string().optional(),
});
export type Trigger = z.infer<typeof Trigger>;

/** Identifies one attempt of one stage of one execution: the idempotency key of every stage message. */
export const StageRef = z.object({
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1),
});
export type StageRef = z.infer<typeof StageRef>;

export const StageError = z.object({
  message: z.string().min(1),
  code: z.string().min(1).optional(),
  retryable: z.boolean().default(false),
  details: JsonRecord.optional(),
});
export type StageError = z.infer<typeof StageError>;
