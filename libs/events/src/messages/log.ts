import { z } from 'zod';
import { SUBJECT_ROOT } from '../contract.js';
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
