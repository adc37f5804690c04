import { z } from 'zod';
import { defineEvent } from '../contract.js';
import { ApplicationName, Id, Timestamp } from './common.js';

/** The release state machine's states (services/deployer), as the UI shows them. */
export const ReleaseStateName = z.enum([
  'requested',
  'deploying',
  'healthy',
  'promoting',
  'promoted',
  'rolling-back',
  'rolled-back',
  'failed',
  'aborted',
]);

export const ReleaseChanged = defineEvent({
  path: 'deployer.release-changed',
  description:
    'A release moved in its state machine (or finished the cleanup its transition owed): where it is, what runs.',
  schema: z.object({
    releaseId: Id,
    executionId: Id,
    stageId: Id,
    attempt: z.int().min(1),
    application: ApplicationName,
    environment: z.string().min(1),
    namespace: z.string().min(1),
    target: z.enum(['kubernetes', 'local']),
    strategy: z.enum(['rolling', 'blue-green', 'rolling-red-black', 'canary']),
    state: ReleaseStateName,
    image: z.string().min(1),
    previousImage: z.string().optional(),
    /** The Deployment the release made or updated. */
    deployment: z.string().optional(),
    /** Where the application answers, when the target knows (the local provider: its proxy). */
    endpoint: z.string().optional(),
    /** What happened, in a sentence. */
    detail: z.string(),
    /** Why it failed or was aborted. */
    reason: z.string().optional(),
    /** A previous Deployment kept scaled down until `at` (blue-green). */
    retiring: z.object({ deployment: z.string().min(1), at: Timestamp }).optional(),
    changedAt: Timestamp,
  }),
});
