import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());

/** A Kubernetes cluster: a kubeconfig context, or the cluster the deployer runs in. */
export const KubernetesTargetConfig = z
  .object({
    kind: z.literal('kubernetes'),
    /** Path of a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
    kubeconfig: z.string().min(1).optional(),
    /** Context of the kubeconfig (default: its current context). */
    context: z.string().min(1).optional(),
    /** Use the service account of the pod the deployer runs in. */
    inCluster: z.boolean().default(false),
    /** Defaults of the generated objects in this environment (a stage's overrides win). */
    ingressHost: z.string().min(1).optional(),
    ingressClassName: z.string().min(1).optional(),
    ingressAnnotations: Labels.optional(),
    monitoringNamespace: z.string().min(1).optional(),
    labels: Labels.optional(),
  })
  .strict();

/** The local provider: processes on this machine behind a weighted proxy. */
export const LocalTargetConfig = z
  .object({
    kind: z.literal('local'),
    host: z.string().min(1).default('127.0.0.1'),
    /** How others reach the processes (scrapes, Prometheus discovery, endpoints) when not at `host`. */
    advertiseHost: z.string().min(1).optional(),
    /** Fixed proxy port per application (others get a free port, shown in the release events). */
    ports: z.record(z.string(), z.int().min(1).max(65535)).default({}),
  })
  .strict();

export const TargetConfig = z.discriminatedUnion('kind', [KubernetesTargetConfig, LocalTargetConfig]);
export type TargetConfig = z.output<typeof TargetConfig>;

/** Environment name -> target; `*` is the target of every environment not listed. */
export const TargetsConfig = z.record(z.string().min(1), TargetConfig);

const Millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const DeployerEnvironment = z.object({
  /** Targets as JSON, e.g. {"production":{"kind":"kubernetes","context":"prod"},"*":{"kind":"local"}}. */
  DEPLOYER_TARGETS: z.string().min(1).optional(),
  /** Or a YAML (or JSON) file holding the same map. */
  DEPLOYER_TARGETS_FILE: z.string().min(1).optional(),
  /** Where the local provider finds applications given by a relative `local.directory`. */
  DEPLOYER_LOCAL_ROOT: z.string().min(1).optional(),
  /** How often blue-green's kept Deployments are checked for deletion. */
  DEPLOYER_RETIRE_INTERVAL_MS: Millis(30_000),
  /** How long a replica's claim on a running release lasts without a heartbeat (then another resumes it). */
  DEPLOYER_LEASE_MS: Millis(30_000),
});

export interface DeployerConfig {
  targets: Record<string, TargetConfig>;
  localRoot: string;
  retireIntervalMs: number;
  leaseMs: number;
  /** What processes of the local provider inherit from the deployer's environment. */
  localBaseEnv: Record<string, string>;
}

const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

export function loadDeployerConfig(env: Record<string, string | undefined>): DeployerConfig {
  const fail = (problems: string[]) =>
    new Error(`invalid configuration for deployer: ${problems.join('; ')}`);
  const parsed = DeployerEnvironment.safeParse(env);
  if (!parsed.success)
    throw fail(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const e = parsed.data;
  let raw: unknown = { '*': { kind: 'kubernetes' } };
  try {
    if (e.DEPLOYER_TARGETS) raw = JSON.parse(e.DEPLOYER_TARGETS);
    else if (e.DEPLOYER_TARGETS_FILE) raw = parse(readFileSync(e.DEPLOYER_TARGETS_FILE, 'utf8'));
  } catch (error) {
    throw fail([`DEPLOYER_TARGETS: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const targets = TargetsConfig.safeParse(raw);
  if (!targets.success)
    throw fail(
      targets.error.issues.map((issue) => `DEPLOYER_TARGETS.${issue.path.join('.')}: ${issue.message}`),
    );
  return {
    targets: targets.data,
    localRoot: e.DEPLOYER_LOCAL_ROOT ?? process.cwd(),
    retireIntervalMs: e.DEPLOYER_RETIRE_INTERVAL_MS,
    leaseMs: e.DEPLOYER_LEASE_MS,
    localBaseEnv: Object.fromEntries(
      INHERITED.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
    ),
  };
}
