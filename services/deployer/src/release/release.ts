import { type DeployOverrides } from '@aviary/pipeline-spec';
import { type LocalRun } from '../artifacts/artifact-resolver.js';
import { type ProductionState } from '../targets/deploy-target.js';
import { type ReleaseState, type ReleaseStrategy } from './release-machine.js';

/** How a release goes about it: the strategy's own settings. */
export interface ReleaseOptions {
  /** Replicas asked for (undefined: keep production's, 1 at first). */
  replicas?: number;
  keepPreviousForMs: number;
  steps: number[];
  stepPauseMs: number;
  canaryReplicas: number;
  baselineReplicas: number;
  /** Baseline + canary share by ingress weight; absent: by replica share. */
  trafficPercent?: number;
  baselineImage?: string;
}

/** A release of one application to one environment, as the deployer keeps it. */
export interface Release {
  /** `<executionId>/<stageId>/<attempt>` of the stage that asked for it. */
  id: string;
  executionId: string;
  stageId: string;
  attempt: number;
  application: string;
  environment: string;
  namespace: string;
  strategy: ReleaseStrategy;
  state: ReleaseState;
  image: string;
  env: Record<string, string>;
  servicePath: string;
  overrides: DeployOverrides;
  local?: LocalRun;
  options: ReleaseOptions;
  /** Production before the release (absent for an application's first release). */
  previous?: ProductionState;
  /** The Deployment this release made or updated. */
  deployment?: string;
  /** A previous Deployment kept scaled down, to delete at `retireAt` (blue-green). */
  retire?: { deployment: string; at: string };
  /** Why it failed or was aborted. */
  reason?: string;
  outputs: Record<string, unknown>;
  /** What the stage that made it was told at the end, to tell again on a repeated delivery. */
  result?:
    { outputs: Record<string, unknown> } | { error: { message: string; code?: string; retryable: boolean } };
}

export const releaseId = (ref: { executionId: string; stageId: string; attempt: number }) =>
  `${ref.executionId}/${ref.stageId}/${ref.attempt}`;
