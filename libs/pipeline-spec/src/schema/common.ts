import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../duration.js';
import { type OnFailure, STAGE_STATUSES } from '../model.js';

/** A duration as written (`30s`, `5m`, `1h30m`), read as milliseconds. */
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a duration` })
  .transform((text) => parseDuration(text) ?? 0)
  .meta({ description: `A duration: ${DURATION_HINT}.`, examples: ['30s', '5m', '1h30m'] });

/** Names that are safe as stage ids, output names and environment names in references. */
export const StageId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, {
    error: (issue) =>
      `"${String(issue.input)}" is not a stage id: start with a letter, then letters, digits, "-" or "_" (at most 63)`,
  })
  .meta({ description: 'Unique id of the stage, used by dependsOn, stage("id") and ${stages.<id>...}.' });

export const OutputName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an output name holds letters, digits and "_"' });

/** Pipeline and application name: the same rule as ApplicationName on the bus (a Kubernetes name). */
export const PipelineName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: (issue) =>
      `"${String(issue.input)}" is not a valid name: lowercase letters, digits and dashes, at most 63 characters`,
  })
  .meta({
    description: 'Name of the application and its pipeline (a Kubernetes name: lowercase, digits, dashes).',
  });

export const EnvVars = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: 'an environment variable name holds letters, digits and "_"',
    }),
    z.union([z.string(), z.number(), z.boolean()]).transform(String),
  )
  .meta({
    description:
      'Environment variables (values may use ${trigger.<field>} and ${stages.<id>.outputs.<name>}).',
    examples: [{ NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@db:5432/test' }],
  });

export const Container = z
  .object({
    name: StageId.meta({ description: 'Host name the tests reach the container by.' }),
    image: z.string().min(1).meta({ description: 'Container image, e.g. postgres:16.' }),
    env: EnvVars.prefault({}),
    ports: z
      .array(z.int().min(1).max(65535))
      .prefault([])
      .meta({ description: 'Ports the container listens on, reachable from the stage.' }),
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)])
      .optional()
      .meta({
        description:
          'Command for the local executor, which runs the side-car as a process instead of a container.',
      }),
  })
  .strict()
  .meta({
    title: 'Side-car container',
    description: 'A container that runs beside a stage, e.g. a database for tests.',
  });

export const Containers = z.array(Container).prefault([]);

export const StageStatusName = z.enum(STAGE_STATUSES);

export const Glob = z.string().min(1);

export const Condition = z
  .object({
    branches: z
      .array(Glob)
      .min(1)
      .optional()
      .meta({ description: 'Run only on these branches (globs: main, release/*, !wip/**).' }),
    statuses: z
      .array(StageStatusName)
      .min(1)
      .optional()
      .meta({
        description:
          'Run only when every dependency ended in one of these statuses (default: SUCCEEDED or SKIPPED). ' +
          'List FAILED to run after a failure, e.g. for a rollback.',
      }),
    expression: z.string().min(1).optional().meta({
      description: 'A precondition expression, e.g. stage("canary-analysis").status == "SUCCEEDED".',
    }),
  })
  .strict()
  .meta({
    title: 'Condition',
    description: 'When the stage runs; all the given parts must hold, else it is SKIPPED.',
  });

export const RetryPolicyInput = z
  .union([
    z.int().min(0).max(20),
    z
      .object({
        count: z.int().min(0).max(20).meta({ description: 'Attempts after the first one.' }),
        backoff: Duration.prefault('10s').meta({ description: 'Wait before the first retry (default 10s).' }),
        maxBackoff: Duration.prefault('5m').meta({
          description: 'Longest wait between attempts (default 5m).',
        }),
        factor: z
          .number()
          .min(1)
          .max(10)
          .prefault(2)
          .meta({ description: 'Growth of the wait per attempt.' }),
      })
      .strict(),
  ])
  .meta({ description: 'Retries: a count, or { count, backoff, maxBackoff, factor }.' });

export const OnFailureInput = z
  .enum(['fail', 'rollback', 'pause-and-notify', 'ignore'] satisfies OnFailure[])
  .meta({
    description:
      'What a failure of this stage does: fail the execution (default), fail and roll back the ' +
      "stage's deployment, pause and ask a person, or ignore it and go on.",
  });

export const Concurrency = z.enum(['queue', 'cancel']).meta({
  description: 'A push to a branch that already has a running execution waits for it (queue) or cancels it.',
});

export const Triggers = z
  .object({
    branches: z
      .array(Glob)
      .min(1)
      .optional()
      .meta({ description: 'Branches whose pushes start the pipeline (globs); default: every branch.' }),
    tags: z
      .union([z.boolean(), z.array(Glob).min(1)])
      .prefault(false)
      .meta({ description: 'Whether tag pushes start it: true, false, or glob patterns of tags.' }),
  })
  .strict()
  .meta({ title: 'Triggers', description: 'Which pushes start the pipeline.' });
