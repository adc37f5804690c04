import { z } from 'zod';
import { Containers, Duration, EnvVars, OutputName } from './common.js';
import { DeployOverrides, LocalRun } from './deploy-overrides.js';

/**
 * The settings of each stage type, written beside the common fields of a stage (`id`, `type`,
 * `dependsOn`, ...). String settings may hold `${trigger.<field>}` and `${stages.<id>.outputs.<name>}`
 * references; durations are read as milliseconds.
 */

const Template = (description: string) => z.string().min(1).meta({ description });

export const Reports = z
  .object({
    coverage: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'LCOV coverage report (e.g. coverage/lcov.info).' }),
    junit: z.string().min(1).optional().meta({ description: 'JUnit XML test report.' }),
    lint: z.string().min(1).optional().meta({ description: 'ESLint JSON report.' }),
    coverageSummary: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Istanbul coverage summary (e.g. coverage/coverage-summary.json).' }),
    cobertura: z.string().min(1).optional().meta({ description: 'Cobertura XML coverage report.' }),
    audit: z.string().min(1).optional().meta({ description: '`npm audit --json` output.' }),
    duplication: z.string().min(1).optional().meta({ description: 'jscpd JSON duplication report.' }),
  })
  .strict();
export const REPORT_KINDS = [
  'coverage',
  'junit',
  'lint',
  'coverageSummary',
  'cobertura',
  'audit',
  'duplication',
] as const;

const Target = {
  environment: z.string().min(1).meta({ description: 'Target environment (homolog, production, ...).' }),
  namespace: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Kubernetes namespace (default: the environment).' }),
  application: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Application deployed (default: the pipeline name).' }),
};

const Workload = {
  env: EnvVars.prefault({}),
  servicePath: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'URL path prefix the service is exposed on by the ingress (/<servicePath>).' }),
  overrides: DeployOverrides.prefault({}),
  local: LocalRun.optional(),
};

export const CheckoutSettings = z
  .object({
    repository: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Repository to clone (default: the one pushed to).' }),
    ref: Template('Commit, branch or tag to check out.').prefault('${trigger.sha}'),
    depth: z
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Commits of history fetched (default 1: the commit alone).' }),
  })
  .strict();

export const RunSettings = z
  .object({
    command: Template('Shell command (several lines allowed) run in the checked-out workspace.'),
    image: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Container image to run in (default: the builder's)." }),
    workingDirectory: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Directory, relative to the workspace.' }),
    env: EnvVars.prefault({}),
    containers: Containers.meta({
      description: 'Side-car containers started for the command (e.g. a database).',
    }),
    outputs: z.array(OutputName).prefault([]).meta({
      description:
        'Names of the outputs the command produces, written as name=value lines to the file named by $AVIARY_OUTPUT.',
    }),
    reports: Reports.prefault({}).meta({
      description:
        'Report files the builder keeps after the command (outputs <kind>Report hold their artifact ids).',
    }),
  })
  .strict();

const GateThreshold = z.union([z.number(), z.enum(['A', 'B', 'C', 'D', 'E'])]);

/** A quality gate condition, as in a gate file (the quality service checks the metric names). */
export const QualityCondition = z
  .object({
    metric: z
      .string()
      .min(1)
      .meta({ description: 'SonarQube metric key: coverage, bugs, sqale_rating, ...' }),
    op: z.enum(['gt', 'lt']).meta({ description: 'gt: fails above the threshold; lt: fails below it.' }),
    error: GateThreshold.optional().meta({
      description: 'Past this value the gate fails (a letter for ratings).',
    }),
    warning: GateThreshold.optional().meta({ description: 'Past this value the gate warns.' }),
    onNewCode: z
      .boolean()
      .optional()
      .meta({ description: 'Read the metric on the lines changed since the previous main build.' }),
  })
  .strict();

export const SonarQubeSource = z
  .object({
    projectKey: Template('SonarQube project key.'),
    taskId: z.string().min(1).optional().meta({
      description:
        'Analysis task to wait for (ceTaskId of .scannerwork/report-task.txt, e.g. ${stages.scan.outputs.ceTaskId}); without it the latest analysis is read.',
    }),
    branch: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Branch of the project (SonarQube branch analysis).' }),
    url: z
      .url()
      .optional()
      .meta({ description: "Server URL (default: the quality service's QUALITY_SONARQUBE_URL)." }),
  })
  .strict();

export const QualityGateSettings = z
  .object({
    mode: z.enum(['scan', 'gate', 'scan-and-gate']).prefault('scan-and-gate').meta({
      description:
        'scan: read the reports into metrics (the stage passes whatever the gate says); gate: judge them and fail on ERROR; scan-and-gate: both.',
    }),
    gate: z.string().min(1).prefault('default').meta({
      description:
        'Name of the quality gate: `default` (built in), or a gate file .aviary/quality-gates/<name>.yaml in the repository or in QUALITY_GATES_DIR.',
    }),
    reports: Reports.prefault({}).meta({
      description: 'Reports to read, usually ${stages.<test stage>.outputs.coverageReport}.',
    }),
    analysis: z.string().min(1).optional().meta({
      description:
        'Gate the metrics an earlier scan stage read (${stages.<scan stage>.outputs.analysisId}) instead of reading reports.',
    }),
    conditions: z.array(QualityCondition).min(1).optional().meta({
      description: 'An inline gate: these conditions instead of the named gate.',
    }),
    subProjects: z.array(z.string().min(1)).optional().meta({
      description: 'Folder globs (api/v*): each folder is gated on its own, and the gate fails if one fails.',
    }),
    mainBranch: z.string().min(1).prefault('main').meta({
      description: 'The branch whose previous build new code and deltas are measured from (default main).',
    }),
    provider: z.enum(['aviary', 'sonarqube']).prefault('aviary').meta({
      description: 'aviary: gate the reports; sonarqube: read the gate of a SonarQube server.',
    }),
    sonarqube: SonarQubeSource.optional().meta({
      description: 'The SonarQube project (provider sonarqube).',
    }),
  })
  .strict();

export const BuildImageSettings = z
  .object({
    context: z
      .string()
      .min(1)
      .prefault('.')
      .meta({ description: 'Build context, relative to the workspace.' }),
    dockerfile: z
      .string()
      .min(1)
      .prefault('Dockerfile')
      .meta({ description: 'Dockerfile, relative to the context.' }),
    repository: Template('Image repository in the registry (e.g. registry.example.com/team/orders-api).'),
    tag: Template('Image tag (a template).').prefault('${trigger.sha}'),
    buildArgs: EnvVars.prefault({}).meta({ description: 'Docker build arguments.' }),
    push: z.boolean().prefault(true).meta({ description: 'Push the image to the registry.' }),
    baseImage: z.string().min(1).optional().meta({
      description:
        "Base image of the daemonless build (default: the builder's BUILDER_BASE_IMAGE); the dockerfile is not read.",
    }),
    entrypoint: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'Entrypoint of the image (default: node and the main file of package.json).' }),
    workdir: z
      .string()
      .startsWith('/')
      .optional()
      .meta({ description: 'Directory the application is copied to and runs in (default /app).' }),
    user: z.string().min(1).optional().meta({ description: 'User the application runs as (default 1000).' }),
    env: EnvVars.prefault({}).meta({ description: 'Environment variables of the image.' }),
    labels: z
      .record(z.string().min(1), z.string())
      .prefault({})
      .meta({ description: 'Extra OCI labels (source and revision are always set).' }),
    additionalTags: z
      .array(z.string().min(1))
      .prefault([])
      .meta({ description: 'More tags for the same image, e.g. latest or ${trigger.branch}.' }),
    command: z
      .string()
      .min(1)
      .optional()
      .meta({
        description:
          'Command mode: a shell command that builds and pushes the image itself (docker, buildah, kaniko); ' +
          'it gets IMAGE, IMAGE_TAG, CONTEXT, DOCKERFILE and BUILD_ARG_<name>.',
      }),
  })
  .strict();

export const DEPLOY_STRATEGIES = ['rolling', 'blue-green', 'rolling-red-black', 'canary'] as const;

export const DeploySettings = z
  .object({
    ...Target,
    image: Template('Image to deploy, usually ${stages.<build stage>.outputs.imageUrl}.'),
    strategy: z
      .enum(DEPLOY_STRATEGIES)
      .prefault('rolling')
      .meta({ description: 'How the new version replaces the old.' }),
    replicas: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Replica count (default: keep the current one, 1 at first).' }),
    keepPreviousFor: Duration.prefault('30m').meta({
      description:
        'blue-green: how long the previous Deployment is kept, scaled down, for an instant rollback (default 30m).',
    }),
    steps: z
      .array(z.int().min(1).max(100))
      .min(1)
      .refine((steps) => steps.every((step, i) => i === 0 || step > steps[i - 1]!) && steps.at(-1) === 100, {
        error: 'steps rise and end at 100, e.g. [25, 50, 100]',
      })
      .prefault([25, 50, 100])
      .meta({ description: 'rolling-red-black: percentages of the replicas moved at each step.' }),
    stepPause: Duration.prefault('0s').meta({
      description: 'rolling-red-black: wait after each healthy step before the next one (default 0s).',
    }),
    dryRun: z.boolean().prefault(false).meta({
      description: 'Only ask the cluster what the deploy would change (server-side dry-run); output diff.',
    }),
    ...Workload,
  })
  .strict();

export const CanaryDeploySettings = z
  .object({
    ...Target,
    image: Template('Image of the canary (the new version).'),
    baselineImage: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Image of the baseline (default: the version running in the environment).' }),
    canaryReplicas: z.int().min(1).prefault(1),
    baselineReplicas: z.int().min(1).prefault(1),
    trafficPercent: z.number().gt(0).lt(100).optional().meta({
      description: 'Share of traffic for canary and baseline each, by ingress weight (default: by replicas).',
    }),
    ...Workload,
  })
  .strict();

export const CanaryThresholds = z
  .object({
    pass: z
      .number()
      .min(0)
      .max(100)
      .prefault(95)
      .meta({ description: 'Score at or above which the canary passes.' }),
    marginal: z
      .number()
      .min(0)
      .max(100)
      .prefault(75)
      .meta({ description: 'Score below which the canary fails at once (between: marginal).' }),
  })
  .strict();

export const CanaryAnalysisSettings = z
  .object({
    config: Template('Canary configuration: metrics, groups and weights known to the canary service.'),
    lifetime: Duration.prefault('30m').meta({ description: 'How long the analysis runs (default 30m).' }),
    interval: Duration.prefault('5m').meta({ description: 'Length of each judged interval (default 5m).' }),
    delay: Duration.prefault('0s').meta({ description: 'Warm-up before the first interval (default 0s).' }),
    thresholds: CanaryThresholds.prefault({}),
    baselineScope: Template(
      'Metric scope of the baseline, usually ${stages.<canary-deploy>.outputs.baselineScope}.',
    ),
    canaryScope: Template(
      'Metric scope of the canary, usually ${stages.<canary-deploy>.outputs.canaryScope}.',
    ),
    location: Template('Location (namespace or region), usually ${stages.<canary-deploy>.outputs.location}.'),
    step: Duration.optional().meta({
      description: 'Resolution of the metric series (the range query step; default 60s, as Kayenta).',
    }),
    lookback: Duration.optional().meta({
      description: 'Sliding window: judge only the last lookback of each interval (default: growing window).',
    }),
    baselineOffset: Duration.optional().meta({
      description: "How far back the baseline's window is shifted (default 0s).",
    }),
    startTime: z.iso.datetime({ offset: true }).optional().meta({
      description: 'Retrospective analysis: the start of the window to judge (with endTime).',
    }),
    endTime: z.iso.datetime({ offset: true }).optional().meta({
      description: 'Retrospective analysis: the end of the window to judge; intervals are judged at once.',
    }),
    source: z.enum(['prometheus', 'scrape']).optional().meta({
      description:
        "Where metrics come from: the canary service's Prometheus, or its own scrape of the instances (default: prometheus when the service has one).",
    }),
    baselineTargets: z
      .union([z.array(z.string().min(1)), z.string().min(1)])
      .optional()
      .meta({
        description:
          'scrape: /metrics URLs of the baseline instances, usually ${stages.<canary-deploy>.outputs.baselineTargets}.',
      }),
    canaryTargets: z
      .union([z.array(z.string().min(1)), z.string().min(1)])
      .optional()
      .meta({
        description:
          'scrape: /metrics URLs of the canary instances, usually ${stages.<canary-deploy>.outputs.canaryTargets}.',
      }),
    extendedScopeParams: z.record(z.string().min(1), z.string()).optional().meta({
      description:
        'More ${variables} for the canary config’s filter templates (Kayenta’s extendedScopeParams).',
    }),
    canaryConfig: z.record(z.string(), z.unknown()).optional().meta({
      description: 'The canary config itself (Kayenta JSON), instead of looking `config` up by name.',
    }),
  })
  .strict();

export const PromoteSettings = z
  .object({
    ...Target,
    image: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Image to promote (default: the canary image).' }),
  })
  .strict();

export const RollbackSettings = z
  .object({
    ...Target,
    image: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Image to go back to (default: the version before this execution).' }),
  })
  .strict();

export const ManualJudgmentSettings = z
  .object({
    instructions: z.string().min(1).optional().meta({ description: 'What the judge should check.' }),
    roles: z
      .array(z.string().min(1))
      .prefault([])
      .meta({ description: 'Roles allowed to judge (default: anyone).' }),
  })
  .strict();

export const CheckPreconditionSettings = z
  .object({
    expression: z.string().min(1).optional().meta({ description: 'A precondition that must be true.' }),
    expressions: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'Preconditions that must all be true.' }),
  })
  .strict();

export const WaitSettings = z
  .object({ duration: Duration.meta({ description: 'How long to wait.' }) })
  .strict();

export const NotifySettings = z
  .object({
    channels: z
      .array(
        z.string().regex(/^[a-z][a-z0-9-]*:.+$/, {
          error:
            'a channel is kind:address, e.g. slack:#deploys, email:team@example.com, webhook:https://...',
        }),
      )
      .prefault([])
      .meta({
        description:
          "Where to send it (slack:#channel, email:address, webhook:url); default: the application's channels.",
      }),
    message: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Message (a template); default: a summary of the execution.' }),
    failOnError: z.boolean().prefault(false).meta({
      description:
        'Fail the stage when a channel could not be notified (default false: the stage completes and says what failed).',
    }),
  })
  .strict();
