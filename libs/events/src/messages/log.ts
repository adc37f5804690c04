import { z } from 'zod';
import { SUBJECT_ROOT, defineQuery } from '../contract.js';
import { Id, Timestamp } from './common.js';

/** Log lines of a running stage are core NATS (not JetStream): fast, and persisted by the builder. */
export const LogLine = z.object({
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1),
  seq: z.int().min(0),
  stream: z.enum(['stdout', 'stderr', 'system']),
  time: Timestamp,
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export function logSubject(executionId: string, stageId: string): string {
  return `${SUBJECT_ROOT}.log.${executionId}.${stageId}`;
}

/**
 * A page of a stage's persisted log. `cursor` is opaque to the caller: pass `nextCursor` back for
 * the next page; a page without `nextCursor` is the end of what is stored so far.
 */
export const GetStageLogs = defineQuery({
  path: 'builder.get-logs',
  description: "A page of one stage attempt's log lines, as persisted by the builder.",
  schema: z.object({
    executionId: Id,
    stageId: Id,
    attempt: z.int().min(1).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.int().min(1).max(5000).default(500),
  }),
  replySchema: z.object({
    lines: z.array(LogLine),
    nextCursor: z.string().max(200).optional(),
    complete: z.boolean().describe('the stage attempt ended and every line is stored'),
  }),
});
