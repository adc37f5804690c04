import { z } from 'zod';

/**
 * What a deploy stage may change in the manifests the deployer generates for its environment. Every
 * field is optional: the deployer's defaults (port 3000, probes on /health, HPA 2..10 at 65 %, ...)
 * apply where a field is absent.
 */

const Quantity = z
  .union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/), z.number().positive()])
  .meta({ description: 'A Kubernetes quantity: 500m, 0.5, 256Mi, 1Gi.' });

const ResourceAmounts = z.object({ cpu: Quantity.optional(), memory: Quantity.optional() }).strict();

const Labels = z.record(
  z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, {
    error: 'a label key is [prefix/]name: letters, digits, "-", "_", "." (at most 63)',
  }),
  z.string().regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/, {
    error: 'a label value has at most 63 letters, digits, "-", "_", "."',
  }),
);

const Percent = z.int().min(1).max(100);

export const DeployOverrides = z
  .object({
    port: z.int().min(1).max(65535).optional().meta({ description: 'Container port (default 3000).' }),
    resources: z
      .object({ requests: ResourceAmounts.optional(), limits: ResourceAmounts.optional() })
      .strict()
      .optional()
      .meta({
        description:
          'Requests and limits (default requests cpu 100m / memory 128Mi, limits cpu 500m / 512Mi).',
      }),
    probes: z
      .object({
        path: z.string().startsWith('/').optional().meta({ description: 'Health path (default /health).' }),
        initialDelaySeconds: z.int().min(0).optional(),
        periodSeconds: z.int().min(1).optional(),
        failureThreshold: z.int().min(1).optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'Liveness and readiness probes (HTTP GET on the container port).' }),
    labels: Labels.optional().meta({
      description: 'Extra labels on every object (app, aviary.dev/track and aviary.dev/version are kept).',
    }),
    podAnnotations: z.record(z.string(), z.string()).optional(),
    revisionHistoryLimit: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Old ReplicaSets kept (default 3).' }),
    progressDeadlineSeconds: z.int().min(1).optional().meta({
      description: 'How long a rollout may make no progress before it fails (default 600).',
    }),
    autoscaling: z
      .object({
        enabled: z.boolean().optional(),
        minReplicas: z.int().min(1).optional(),
        maxReplicas: z.int().min(1).optional(),
        cpuPercent: Percent.optional(),
        memoryPercent: Percent.optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'HorizontalPodAutoscaler (default on: 2..10 replicas, CPU and memory at 65 %).' }),
    ingress: z
      .object({
        enabled: z.boolean().optional(),
        host: z.string().min(1).optional(),
        className: z.string().min(1).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'Ingress on /<servicePath> (default on, class nginx, host from the target).' }),
    serviceMonitor: z
      .object({
        enabled: z.boolean().optional(),
        namespace: z.string().min(1).optional(),
        interval: z
          .string()
          .regex(/^[0-9]+(ms|s|m|h)$/)
          .optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'Prometheus-operator ServiceMonitor (default on, in namespace monitoring).' }),
  })
  .strict()
  .meta({ title: 'Manifest overrides', description: 'Changes to the generated Kubernetes objects.' });
export type DeployOverrides = z.output<typeof DeployOverrides>;

export const LocalRun = z
  .object({
    command: z.string().min(1).meta({
      description: 'Start command of the application (a shell command; it gets PORT and the release env).',
    }),
    directory: z
      .string()
      .min(1)
      .prefault('.')
      .meta({ description: 'Directory of the application, relative to the workspace or absolute.' }),
  })
  .strict()
  .meta({
    title: 'Local run',
    description: 'How the local provider runs the application as processes (ignored on Kubernetes).',
  });
