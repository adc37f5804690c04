import { type DeployOverrides } from '@aviary/pipeline-spec';
import { type Track } from './labels.js';

/** Per-environment defaults from the deployer's target configuration; a stage's overrides win. */
export interface EnvironmentDefaults {
  ingressHost?: string;
  ingressClassName?: string;
  ingressAnnotations?: Record<string, string>;
  monitoringNamespace?: string;
  labels?: Record<string, string>;
}

/** One Deployment of a release: production (stable), or the baseline or canary beside it. */
export interface WorkloadInput {
  app: string;
  namespace: string;
  /** The Deployment's name: `<app>` (or its blue-green twin), `<app>-baseline`, `<app>-canary`. */
  name: string;
  track: Track;
  image: string;
  env: Record<string, string>;
  replicas: number;
  /** Release id written on the Deployment, to tell which release last applied it. */
  releaseId: string;
  overrides: DeployOverrides;
  defaults: EnvironmentDefaults;
  /** Baseline and canary pods also get `aviary.dev/analysis: "true"` (ingress-weight routing). */
  analysis?: boolean;
}

/** What the objects around the Deployments are built from. */
export interface ApplicationInput {
  app: string;
  namespace: string;
  /** URL path prefix (`/featureflag` or `featureflag`). */
  servicePath: string;
  overrides: DeployOverrides;
  defaults: EnvironmentDefaults;
}
