import { type StageCommandData } from '@aviary/events';
import {
  CanaryDeploySettings,
  DeploySettings,
  PromoteSettings,
  RollbackSettings,
} from '@aviary/pipeline-spec';
import { z } from 'zod';
import { type Release, releaseId } from '../release/release.js';

/**
 * The settings a stage command carries are the pipeline's, resolved by the orchestrator: defaults
 * filled in, namespace and application set, durations in milliseconds. Parsed here with
 * pipeline-spec's schemas, those fields read as resolved.
 */
const Resolved = { namespace: z.string().min(1), application: z.string().min(1) };
const Millis = z.int().min(0);

export const ResolvedDeploySettings = DeploySettings.extend({
  ...Resolved,
  keepPreviousFor: Millis,
  stepPause: Millis,
});
export const ResolvedCanaryDeploySettings = CanaryDeploySettings.extend(Resolved);
export const ResolvedPromoteSettings = PromoteSettings.extend(Resolved);
export const ResolvedRollbackSettings = RollbackSettings.extend(Resolved);

/** Settings that do not parse: the stage fails, and retrying will not help. */
export class InvalidSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSettingsError';
  }
}

export function parseSettings<S extends z.ZodType>(schema: S, command: StageCommandData): z.output<S> {
  const parsed = schema.safeParse(command.settings);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`,
  );
  throw new InvalidSettingsError(`invalid ${command.stageType} settings: ${problems.join('; ')}`);
}

const base = (command: StageCommandData) => ({
  id: releaseId(command),
  executionId: command.executionId,
  stageId: command.stageId,
  attempt: command.attempt,
  state: 'requested' as const,
  outputs: {},
});

/** The release a `deploy` stage asks for. */
export function deployRelease(
  command: StageCommandData,
  s: z.output<typeof ResolvedDeploySettings>,
): Release {
  return {
    ...base(command),
    application: s.application,
    environment: s.environment,
    namespace: s.namespace,
    strategy: s.strategy,
    image: s.image,
    env: s.env,
    servicePath: s.servicePath ?? s.application,
    overrides: s.overrides,
    ...(s.local ? { local: s.local } : {}),
    options: {
      ...(s.replicas === undefined ? {} : { replicas: s.replicas }),
      keepPreviousForMs: s.keepPreviousFor,
      steps: s.steps,
      stepPauseMs: s.stepPause,
      canaryReplicas: 1,
      baselineReplicas: 1,
    },
  };
}

/** The release a `canary-deploy` stage asks for: baseline and canary beside production. */
export function canaryRelease(
  command: StageCommandData,
  s: z.output<typeof ResolvedCanaryDeploySettings>,
): Release {
  return {
    ...base(command),
    application: s.application,
    environment: s.environment,
    namespace: s.namespace,
    strategy: 'canary',
    image: s.image,
    env: s.env,
    servicePath: s.servicePath ?? s.application,
    overrides: s.overrides,
    ...(s.local ? { local: s.local } : {}),
    options: {
      keepPreviousForMs: 0,
      steps: [100],
      stepPauseMs: 0,
      canaryReplicas: s.canaryReplicas,
      baselineReplicas: s.baselineReplicas,
      ...(s.trafficPercent === undefined ? {} : { trafficPercent: s.trafficPercent }),
      ...(s.baselineImage === undefined ? {} : { baselineImage: s.baselineImage }),
    },
  };
}
