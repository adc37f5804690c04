import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What the builder needs to reach a git host: a token (HTTPS) or an SSH key file. */
export const GitCredential = z.union([
  z
    .string()
    .min(1)
    .transform((token) => ({ username: 'x-access-token', password: token })),
  z.object({ username: z.string().min(1).default('x-access-token'), password: z.string().min(1) }).strict(),
  z
    .object({ token: z.string().min(1) })
    .transform(({ token }) => ({ username: 'x-access-token', password: token })),
  z.object({ sshKeyFile: z.string().min(1) }).strict(),
]);
export type GitCredential = z.output<typeof GitCredential>;

/** A registry's user and password (or token as password), for basic auth and the token exchange. */
export const RegistryCredential = z.union([
  z
    .string()
    .regex(/^[^:]+:.+$/, 'user:password')
    .transform((text) => {
      const at = text.indexOf(':');
      return { username: text.slice(0, at), password: text.slice(at + 1) };
    }),
  z.object({ username: z.string().min(1), password: z.string().min(1) }).strict(),
]);
export type RegistryCredential = z.output<typeof RegistryCredential>;

const Json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const Millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** The builder's own settings, beside what every service reads. */
export const BuilderEnvironment = z.object({
  /** Workspaces, the git mirrors and image build folders live here. */
  BUILDER_WORK_DIR: z.string().min(1).default(join(tmpdir(), 'aviary-builder')),
  /** Git host (`github.com`, `git.example.com:8443`) to credential: a token, {username, password} or {sshKeyFile}. */
  BUILDER_GIT_CREDENTIALS: Json(z.record(z.string().min(1), GitCredential)).optional(),
  /** The same as a file (a mounted Kubernetes Secret); merged under BUILDER_GIT_CREDENTIALS. */
  BUILDER_GIT_CREDENTIALS_FILE: z.string().min(1).optional(),
  /** Variables every step gets, masked in logs: `{"NPM_TOKEN": "..."}`. */
  BUILDER_STEP_SECRETS: Json(z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())).optional(),
  BUILDER_EXECUTOR: z.enum(['local', 'kubernetes']).default('local'),
  /** Kubernetes executor: kubeconfig file (default: in-cluster, then ~/.kube/config). */
  BUILDER_KUBECONFIG: z.string().min(1).optional(),
  BUILDER_K8S_NAMESPACE: z.string().min(1).default('aviary-builds'),
  /** Kubernetes executor: claim holding BUILDER_WORK_DIR, mounted into step pods at the same path. */
  BUILDER_K8S_WORKSPACE_CLAIM: z.string().min(1).optional(),
  /** Image of steps that name none. */
  BUILDER_DEFAULT_STEP_IMAGE: z.string().min(1).default('node:24'),
  /** Registry images are pushed to (`registry.example.com`, `http://127.0.0.1:5000`); none: packaged builds. */
  BUILDER_REGISTRY: z.string().min(1).optional(),
  /** Registry host to credential: `"user:password"` or {username, password}. */
  BUILDER_REGISTRY_CREDENTIALS: Json(z.record(z.string().min(1), RegistryCredential)).optional(),
  /** Registry hosts reached over plain HTTP (comma-separated); loopback hosts always are. */
  BUILDER_INSECURE_REGISTRIES: z.string().default(''),
  /** Base image of daemonless builds whose stage names none. */
  BUILDER_BASE_IMAGE: z.string().min(1).default('node:24-slim'),
  /** Command mode for every build-image stage (a docker/buildah/kaniko build and push), unless a stage sets its own. */
  BUILDER_IMAGE_COMMAND: z.string().min(1).optional(),
  /** Also pack every image pushed to a registry, for a deployer whose local provider runs it. */
  BUILDER_LOCAL_PACKAGES: z.enum(['true', 'false']).default('false'),
  /** Live log lines published per second per stage at most; the rest are only stored. */
  BUILDER_LOG_LINES_PER_SECOND: z.coerce.number().int().min(1).default(1000),
  BUILDER_LOG_FLUSH_MS: Millis(200),
  /** How long a stopped step gets between SIGTERM and SIGKILL. */
  BUILDER_KILL_GRACE_MS: Millis(5000),
  /** How long a side-car has to start listening on its ports. */
  BUILDER_SIDECAR_START_TIMEOUT_MS: Millis(60_000),
  /** How often a running stage proves it is alive (and looks for a cancel sent to another replica). */
  BUILDER_HEARTBEAT_MS: Millis(2000),
  /** Workspaces older than this are removed. */
  BUILDER_WORKSPACE_TTL_MS: Millis(24 * 60 * 60 * 1000),
});

export interface BuilderConfig {
  workDir: string;
  gitCredentials: Record<string, GitCredential>;
  stepSecrets: Record<string, string>;
  executor: 'local' | 'kubernetes';
  kubernetes: { kubeconfig?: string; namespace: string; workspaceClaim?: string; defaultImage: string };
  registry?: string;
  registryCredentials: Record<string, RegistryCredential>;
  insecureRegistries: string[];
  baseImage: string;
  imageCommand?: string;
  localPackages: boolean;
  logLinesPerSecond: number;
  logFlushMs: number;
  killGraceMs: number;
  sidecarStartTimeoutMs: number;
  heartbeatMs: number;
  workspaceTtlMs: number;
}

function problems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

export function loadBuilderConfig(env: Record<string, string | undefined>): BuilderConfig {
  const parsed = BuilderEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration for builder: ${problems(parsed.error)}`);
  const e = parsed.data;
  let fromFile: Record<string, GitCredential> = {};
  if (e.BUILDER_GIT_CREDENTIALS_FILE) {
    const file = Json(z.record(z.string().min(1), GitCredential)).safeParse(
      readFileSync(e.BUILDER_GIT_CREDENTIALS_FILE, 'utf8'),
    );
    if (!file.success)
      throw new Error(
        `invalid configuration for builder: BUILDER_GIT_CREDENTIALS_FILE: ${problems(file.error)}`,
      );
    fromFile = file.data;
  }
  return {
    workDir: e.BUILDER_WORK_DIR,
    gitCredentials: { ...fromFile, ...e.BUILDER_GIT_CREDENTIALS },
    stepSecrets: e.BUILDER_STEP_SECRETS ?? {},
    executor: e.BUILDER_EXECUTOR,
    kubernetes: {
      kubeconfig: e.BUILDER_KUBECONFIG,
      namespace: e.BUILDER_K8S_NAMESPACE,
      workspaceClaim: e.BUILDER_K8S_WORKSPACE_CLAIM,
      defaultImage: e.BUILDER_DEFAULT_STEP_IMAGE,
    },
    registry: e.BUILDER_REGISTRY,
    registryCredentials: e.BUILDER_REGISTRY_CREDENTIALS ?? {},
    insecureRegistries: e.BUILDER_INSECURE_REGISTRIES.split(',')
      .map((host) => host.trim())
      .filter(Boolean),
    baseImage: e.BUILDER_BASE_IMAGE,
    imageCommand: e.BUILDER_IMAGE_COMMAND,
    localPackages: e.BUILDER_LOCAL_PACKAGES === 'true',
    logLinesPerSecond: e.BUILDER_LOG_LINES_PER_SECOND,
    logFlushMs: e.BUILDER_LOG_FLUSH_MS,
    killGraceMs: e.BUILDER_KILL_GRACE_MS,
    sidecarStartTimeoutMs: e.BUILDER_SIDECAR_START_TIMEOUT_MS,
    heartbeatMs: e.BUILDER_HEARTBEAT_MS,
    workspaceTtlMs: e.BUILDER_WORKSPACE_TTL_MS,
  };
}
