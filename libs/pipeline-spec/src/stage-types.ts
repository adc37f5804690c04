import { type z } from 'zod';
import { type ResolvedStage, type StageType } from './model.js';
import {
  BuildImageSettings,
  CanaryAnalysisSettings,
  CanaryDeploySettings,
  CheckPreconditionSettings,
  CheckoutSettings,
  DeploySettings,
  ManualJudgmentSettings,
  NotifySettings,
  PromoteSettings,
  QualityGateSettings,
  REPORT_KINDS,
  RollbackSettings,
  RunSettings,
  WaitSettings,
} from './schema/stage-settings.js';

type Targeted<S> = Omit<S, 'namespace' | 'application'> & { namespace: string; application: string };

/** Each stage type's settings once resolved: defaults filled in, durations in milliseconds. */
export interface StageSettingsByType {
  checkout: z.output<typeof CheckoutSettings>;
  run: z.output<typeof RunSettings>;
  'quality-gate': z.output<typeof QualityGateSettings>;
  'build-image': z.output<typeof BuildImageSettings>;
  deploy: Targeted<z.output<typeof DeploySettings>>;
  'canary-deploy': Targeted<z.output<typeof CanaryDeploySettings>>;
  'canary-analysis': z.output<typeof CanaryAnalysisSettings>;
  promote: Targeted<z.output<typeof PromoteSettings>>;
  rollback: Targeted<z.output<typeof RollbackSettings>>;
  'manual-judgment': z.output<typeof ManualJudgmentSettings>;
  /** `expression:` and `expressions:` of the file, as one list that must all be true. */
  'check-precondition': { expressions: string[] };
  wait: z.output<typeof WaitSettings>;
  notify: z.output<typeof NotifySettings>;
}

interface StageTypeSpec {
  description: string;
  /** The settings as written beside the common fields (strict: unknown keys are errors). */
  settings: z.ZodObject;
  /** The outputs every stage of this type produces (a `run` stage adds the ones it declares). */
  outputs: readonly string[];
  /** Timeout when the stage gives none, in milliseconds, from its resolved settings. */
  defaultTimeoutMs: (settings: Record<string, unknown>) => number;
}

const minutes = (n: number) => n * 60_000;
const fixed = (ms: number) => () => ms;
const numberAt = (settings: Record<string, unknown>, key: string) => {
  const value = settings[key];
  return typeof value === 'number' ? value : 0;
};

export const STAGE_TYPE_SPECS: Record<StageType, StageTypeSpec> = {
  checkout: {
    description: 'Clone the repository at the pushed commit.',
    settings: CheckoutSettings,
    outputs: ['sha', 'branch', 'tag', 'commitMessage', 'author'],
    defaultTimeoutMs: fixed(minutes(10)),
  },
  run: {
    description: 'Run a shell command in the workspace, optionally in an image with side-car containers.',
    settings: RunSettings,
    outputs: ['exitCode'],
    defaultTimeoutMs: fixed(minutes(30)),
  },
  'quality-gate': {
    description: 'Read test, coverage and lint reports into metrics, and judge them against a quality gate.',
    settings: QualityGateSettings,
    outputs: ['analysisId', 'gateStatus', 'coverage'],
    defaultTimeoutMs: fixed(minutes(15)),
  },
  'build-image': {
    description: 'Build a container image and push it to the registry.',
    settings: BuildImageSettings,
    outputs: ['imageUrl', 'imageDigest', 'tag'],
    defaultTimeoutMs: fixed(minutes(30)),
  },
  deploy: {
    description: 'Deploy an image to an environment with a strategy.',
    settings: DeploySettings,
    outputs: ['image', 'previousImage', 'revision', 'endpoint'],
    defaultTimeoutMs: fixed(minutes(15)),
  },
  'canary-deploy': {
    description: 'Deploy a baseline (current version) and a canary (new version) beside production.',
    settings: CanaryDeploySettings,
    outputs: [
      'baselineImage',
      'canaryImage',
      'baselineScope',
      'canaryScope',
      'location',
      'baselineTargets',
      'canaryTargets',
      'endpoint',
    ],
    defaultTimeoutMs: fixed(minutes(15)),
  },
  'canary-analysis': {
    description: 'Judge the canary against the baseline on their metrics, interval by interval.',
    settings: CanaryAnalysisSettings,
    outputs: ['score', 'verdict', 'reportId'],
    defaultTimeoutMs: (settings) =>
      numberAt(settings, 'delay') + numberAt(settings, 'lifetime') + minutes(15),
  },
  promote: {
    description: 'Give production the canary image and remove baseline and canary.',
    settings: PromoteSettings,
    outputs: ['image', 'previousImage'],
    defaultTimeoutMs: fixed(minutes(15)),
  },
  rollback: {
    description: 'Go back to the previous version and remove baseline and canary.',
    settings: RollbackSettings,
    outputs: ['image'],
    defaultTimeoutMs: fixed(minutes(15)),
  },
  'manual-judgment': {
    description: 'Pause until a person approves or rejects (the stage timeout is the time they have).',
    settings: ManualJudgmentSettings,
    outputs: ['decision', 'user', 'comment'],
    defaultTimeoutMs: fixed(minutes(24 * 60)),
  },
  'check-precondition': {
    description: 'Fail unless every expression is true.',
    settings: CheckPreconditionSettings,
    outputs: [],
    defaultTimeoutMs: fixed(minutes(1)),
  },
  wait: {
    description: 'Wait for a duration.',
    settings: WaitSettings,
    outputs: [],
    defaultTimeoutMs: (settings) => numberAt(settings, 'duration') + minutes(1),
  },
  notify: {
    description: 'Send a message about the execution to chat, e-mail or a webhook.',
    settings: NotifySettings,
    outputs: ['delivered', 'failed', 'pending'],
    defaultTimeoutMs: fixed(minutes(5)),
  },
};

/** The fixed outputs of each stage type (a `run` stage adds those it declares). */
export const STAGE_OUTPUTS: Record<StageType, readonly string[]> = Object.fromEntries(
  Object.entries(STAGE_TYPE_SPECS).map(([type, spec]) => [type, spec.outputs]),
) as Record<StageType, readonly string[]>;

/**
 * The outputs a stage produces, given its settings: the type's own, plus for `run` the names in
 * `outputs` and `<kind>Report` for each report it keeps.
 */
export function stageOutputs(type: StageType, settings: Record<string, unknown>): string[] {
  const names = [...STAGE_OUTPUTS[type]];
  if (type === 'run') {
    const declared = settings['outputs'];
    if (Array.isArray(declared)) names.push(...declared.filter((name) => typeof name === 'string'));
    const reports = settings['reports'];
    if (reports !== null && typeof reports === 'object') {
      for (const kind of REPORT_KINDS) if (kind in reports) names.push(`${kind}Report`);
    }
  }
  return names;
}

/** A stage's settings with their type, for the worker or orchestrator code that handles that type. */
export function settingsOf<T extends StageType>(stage: ResolvedStage, type: T): StageSettingsByType[T] {
  if (stage.type !== type) throw new Error(`stage ${stage.id} is a ${stage.type} stage, not ${type}`);
  return stage.settings as unknown as StageSettingsByType[T];
}
