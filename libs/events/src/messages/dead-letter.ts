import { z } from 'zod';
import { SUBJECT_ROOT } from '../contract.js';

/** Subject under which a message that could not be handled is kept, beside the original subject. */
export const DEAD_LETTER_PREFIX = `${SUBJECT_ROOT}.dlq`;
export const DEAD_LETTER_TYPE = 'dev.aviary.dead-letter.v1';

export const DeadLetter = z.object({
  /** Canonical subject the message was published on. */
  subject: z.string().min(1),
  reason: z.enum(['invalid-envelope', 'invalid-data', 'unknown-type', 'handler-failed', 'no-handler']),
  error: z.string(),
  deliveries: z.int().min(1),
  consumer: z.string().min(1),
  /** The message as received (UTF-8), so nothing accepted is lost and it can be replayed. */
  payload: z.string(),
  failedAt: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export function deadLetterSubject(canonicalSubject: string): string {
  return `${DEAD_LETTER_PREFIX}.${canonicalSubject.slice(SUBJECT_ROOT.length + 1)}`;
}
