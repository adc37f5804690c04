import { z } from 'zod';
import { defineCommand, defineEvent } from '../contract.js';
import { Id, Timestamp } from './common.js';

export const JudgmentDecision = z.enum(['approve', 'reject']);

export const JudgmentRequested = defineEvent({
  path: 'judgment.requested',
  description: 'An execution paused at a manual judgment stage and waits for a decision.',
  schema: z.object({
    executionId: Id,
    stageId: Id,
    application: z.string().min(1),
    instructions: z.string(),
    allowedRoles: z.array(z.string().min(1)).default([]),
    expiresAt: Timestamp.optional(),
  }),
});

export const GiveJudgment = defineCommand({
  path: 'orchestrator.give-judgment',
  description:
    'A person (in the UI, the API or chat) decided a manual judgment; the orchestrator records it.',
  schema: z.object({
    executionId: Id,
    stageId: Id,
    decision: JudgmentDecision,
    user: z.string().min(1),
    comment: z.string().max(4000).optional(),
    via: z.enum(['ui', 'api', 'slack', 'cli']),
  }),
});

export const JudgmentGiven = defineEvent({
  path: 'judgment.given',
  description: 'A manual judgment was recorded; the execution resumes or stops accordingly.',
  schema: z.object({
    executionId: Id,
    stageId: Id,
    decision: JudgmentDecision,
    user: z.string().min(1),
    comment: z.string().optional(),
    via: z.enum(['ui', 'api', 'slack', 'cli']),
    decidedAt: Timestamp,
  }),
});
