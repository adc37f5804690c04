import { NotificationSettings } from '@aviary/events';
import { z } from 'zod';
import { STAGE_TYPES, type StageType } from '../model.js';
import { STAGE_TYPE_SPECS } from '../stage-types.js';
import {
  Concurrency,
  Condition,
  Containers,
  Duration,
  EnvVars,
  OnFailureInput,
  PipelineName,
  RetryPolicyInput,
  StageId,
  Triggers,
} from './common.js';
import { CanaryThresholds, NotifySettings, Reports } from './stage-settings.js';

/** The fields every stage has, whatever its type; the type's settings sit beside them. */
export const StageCommonShape = {
  id: StageId,
  type: z.enum(STAGE_TYPES).meta({ description: 'What the stage does.' }),
  name: z.string().min(1).optional().meta({ description: 'Display name (default: from the id).' }),
  dependsOn: z.array(StageId).optional().meta({
    description:
      'Stages that must end before this one starts. Absent: the previous stage in the list; [] starts at once.',
  }),
  if: Condition.optional(),
  timeout: Duration.optional().meta({
    description: 'Longest run of one attempt (default depends on the type).',
  }),
  retries: RetryPolicyInput.optional(),
  onFailure: OnFailureInput.optional(),
};
export const COMMON_STAGE_KEYS = Object.keys(StageCommonShape);

/** One stage schema per type (for the JSON Schema and editors; validation checks the parts separately). */
function stageSchema(type: StageType) {
  const spec = STAGE_TYPE_SPECS[type];
  return z
    .object({ ...StageCommonShape, type: z.literal(type), ...spec.settings.shape })
    .strict()
    .meta({ title: `${type} stage`, description: spec.description });
}

export const StageSchema = z
  .discriminatedUnion(
    'type',
    STAGE_TYPES.map((type) => stageSchema(type)) as unknown as [
      ReturnType<typeof stageSchema>,
      ...ReturnType<typeof stageSchema>[],
    ],
  )
  .meta({ title: 'Stage' });

const PipelineCommonShape = {
  name: PipelineName,
  concurrency: Concurrency.prefault('queue'),
  triggers: Triggers.prefault({}),
  timeout: Duration.optional().meta({
    description:
      'Longest run of a whole execution (default: the longest chain of stage timeouts, retries included).',
  }),
  notifications: NotificationSettings.optional().meta({
    description:
      'Who hears about this pipeline: channels (failures, judgments, rollbacks), subscriptions by event, template overrides.',
  }),
};

/** The top of an explicit pipeline; its stages are checked one by one (see validation). */
export const ExplicitPipelineTop = z
  .object({ ...PipelineCommonShape, stages: z.array(z.unknown()).min(1) })
  .strict();

export const ExplicitPipeline = z
  .object({
    ...PipelineCommonShape,
    stages: z
      .array(StageSchema)
      .min(1)
      .meta({ description: 'The stages; they form a DAG through dependsOn.' }),
  })
  .strict()
  .meta({ title: 'Explicit pipeline', description: 'A pipeline written stage by stage.' });

export const PRESETS = ['node-service'] as const;

export const CanaryPresetSettings = z
  .object({
    config: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Canary configuration (default: the pipeline name).' }),
    lifetime: Duration.prefault('30m').meta({ description: 'How long the analysis runs (default 30m).' }),
    interval: Duration.prefault('5m').meta({ description: 'Length of each judged interval (default 5m).' }),
    delay: Duration.optional().meta({ description: 'Warm-up before the first interval (default 0s).' }),
    step: Duration.optional().meta({
      description:
        'Resolution of the metric series (default 60s, as Kayenta): keep several steps per interval.',
    }),
    thresholds: CanaryThresholds.prefault({}),
  })
  .strict()
  .meta({ title: 'Canary analysis', description: 'Used when canaryEnabled is true.' });

/** The arguments of the team's Jenkins library, under the same names. */
export const NodeServicePreset = z
  .object({
    preset: z.enum(PRESETS).meta({ description: 'Expand to the stages of a Node.js service.' }),
    ...PipelineCommonShape,
    servicePath: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'URL path prefix the service is exposed on (default: the name).' }),
    nodeImage: z
      .string()
      .min(1)
      .prefault('node:24')
      .meta({ description: 'Image for install, lint and tests.' }),
    testEnv: EnvVars.prefault({}).meta({ description: 'Environment variables of the tests.' }),
    homologEnv: EnvVars.prefault({}).meta({ description: 'Environment variables in homolog.' }),
    productionEnv: EnvVars.prefault({}).meta({ description: 'Environment variables in production.' }),
    containers: Containers.meta({ description: 'Side-car containers for the tests, e.g. a database.' }),
    registryRepository: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Image repository the build pushes to (default: the name).' }),
    canaryEnabled: z
      .boolean()
      .prefault(false)
      .meta({ description: 'Release to production as a canary judged against a baseline (default false).' }),
    canary: CanaryPresetSettings.prefault({}),
    mainBranch: z
      .string()
      .min(1)
      .prefault('main')
      .meta({ description: 'The branch that gets the quality gate and production (default main).' }),
    notify: NotifySettings.prefault({}).meta({ description: 'Where the final notification goes.' }),
    reports: z
      .object({
        test: Reports.optional().meta({
          description: 'Reports `npm run test:ci:cover` writes (default: coverage coverage/lcov.info).',
        }),
        lint: Reports.optional().meta({ description: 'Reports `npm run lint` writes (default: none).' }),
      })
      .strict()
      .prefault({})
      .meta({
        description: 'Report files the test and lint stages keep; the quality scan reads each of them.',
      }),
    qualityGate: z.string().min(1).prefault('default').meta({
      description: 'The quality gate (default: the built-in team gate).',
    }),
    subProjects: z.array(z.string().min(1)).optional().meta({
      description: 'Folder globs (api/v*) gated on their own.',
    }),
  })
  .strict()
  .meta({ title: 'node-service preset', description: 'The stages the team library gave every Node.js API.' });

export type NodeServiceArguments = z.output<typeof NodeServicePreset>;

export const PipelineFile = z.union([NodeServicePreset, ExplicitPipeline]).meta({
  title: 'Aviary pipeline (.aviary/pipeline.yaml)',
  description:
    'The pipeline of an application: a preset (preset: node-service) with its arguments, or explicit stages.',
});
