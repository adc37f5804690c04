import { z } from 'zod';
import { defineEvent, defineQuery } from '../contract.js';
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

/** A Deployment of one application in one environment, as Spinnaker's cluster view showed it. */
export const ServerGroup = z.object({
  /** The Deployment (`<app>`, `<app>-alt`, `<app>-baseline`, `<app>-canary`). */
  name: z.string().min(1),
  /** What it is for: production traffic, a canary's two sides, or the previous version kept. */
  role: z.enum(['production', 'baseline', 'canary', 'previous']),
  image: z.string().min(1),
  /** The image's tag (or digest), the version people read. */
  version: z.string().min(1),
  replicas: z.int().min(0),
  /** healthy: up; deploying: being rolled out or changed; retiring: kept scaled down, deleted later. */
  health: z.enum(['healthy', 'deploying', 'retiring']),
  /** The release that put it there (absent when Aviary has no record of it). */
  releaseId: Id.optional(),
  executionId: Id.optional(),
  deployedAt: Timestamp.optional(),
});
export type ServerGroup = z.infer<typeof ServerGroup>;

export const EnvironmentView = z.object({
  environment: z.string().min(1),
  namespace: z.string().min(1),
  serverGroups: z.array(ServerGroup),
  /** The newest release of the application there, whatever became of it. */
  lastRelease: z.object({
    releaseId: Id,
    executionId: Id,
    stageId: Id,
    strategy: z.enum(['rolling', 'blue-green', 'rolling-red-black', 'canary']),
    state: ReleaseStateName,
    image: z.string().min(1),
    reason: z.string().optional(),
    changedAt: Timestamp,
  }),
});
export type EnvironmentView = z.infer<typeof EnvironmentView>;

export const GetEnvironments = defineQuery({
  path: 'deployer.get-environments',
  description:
    "An application's environments, each with the server groups running there (version, image, replicas, health) and its newest release, from the deployer's releases.",
  schema: z.object({ application: ApplicationName }),
  replySchema: z.object({ application: ApplicationName, environments: z.array(EnvironmentView) }),
});
