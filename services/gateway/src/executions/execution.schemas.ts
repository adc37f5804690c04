import { ApplicationName, ExecutionStatus, GitSha } from '@aviary/events';
import { z } from 'zod';

export const ListExecutionsQuery = z.strictObject({
  application: ApplicationName.optional(),
  branch: z.string().min(1).optional(),
  status: z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim().toUpperCase()))
    .pipe(z.array(ExecutionStatus).min(1))
    .optional()
    .describe('one or more statuses, comma-separated (RUNNING,PAUSED)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});
export type ListExecutionsQuery = z.infer<typeof ListExecutionsQuery>;

export const TriggerBody = z.strictObject({
  application: ApplicationName,
  branch: z.string().min(1).max(255),
  sha: GitSha,
  message: z.string().max(2000).optional(),
});
export type TriggerBody = z.infer<typeof TriggerBody>;

export const CancelBody = z.strictObject({ reason: z.string().min(1).max(2000).optional() });
export type CancelBody = z.infer<typeof CancelBody>;

export const JudgmentBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(4000).optional(),
});
export type JudgmentBody = z.infer<typeof JudgmentBody>;

export const LogsQuery = z.strictObject({
  attempt: z.coerce.number().int().min(1).optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export type LogsQuery = z.infer<typeof LogsQuery>;

export const ReportQuery = z.strictObject({ attempt: z.coerce.number().int().min(1).optional() });
export type ReportQuery = z.infer<typeof ReportQuery>;

export const Accepted = z.object({
  status: z.literal('accepted'),
  executionId: z.string(),
  message: z.string(),
});
