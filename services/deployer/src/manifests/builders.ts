import { type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type IService } from 'kubernetes-models/v1/Service';
import {
  ANNOTATION_RELEASE,
  LABEL_ANALYSIS,
  LABEL_APP,
  LABEL_TRACK,
  LABEL_VERSION,
  versionOf,
} from './labels.js';
import { type ApplicationInput, type WorkloadInput } from './manifest-input.js';

/** Defaults of the team's services, each overridable per environment in the pipeline file. */
export const MANIFEST_DEFAULTS = {
  port: 3000,
  servicePort: 80,
  healthPath: '/health',
  metricsPath: '/metrics',
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
  revisionHistoryLimit: 3,
  progressDeadlineSeconds: 600,
  minReplicas: 2,
  maxReplicas: 10,
  utilizationPercent: 65,
  ingressClassName: 'nginx',
  monitoringNamespace: 'monitoring',
} as const;

type Quantity = string | number;
const quantity = (value: Quantity): string => String(value);

function extraLabels(input: Pick<ApplicationInput, 'overrides' | 'defaults'>): Record<string, string> {
  return { ...input.defaults.labels, ...input.overrides.labels };
}

export function portOf(input: Pick<ApplicationInput, 'overrides'>): number {
  return input.overrides.port ?? MANIFEST_DEFAULTS.port;
}

export function autoscalingEnabled(input: Pick<ApplicationInput, 'overrides'>): boolean {
  return input.overrides.autoscaling?.enabled ?? true;
}

export function minReplicasOf(input: Pick<ApplicationInput, 'overrides'>): number {
  return input.overrides.autoscaling?.minReplicas ?? MANIFEST_DEFAULTS.minReplicas;
}

/** The labels that select a Deployment's pods (never changed for an existing Deployment). */
export function selectorLabels(app: string, track: WorkloadInput['track']): Record<string, string> {
  return { [LABEL_APP]: app, [LABEL_TRACK]: track };
}

/** `apps/v1` Deployment: RollingUpdate 1/0, probes on the health path, requests and limits. */
export function buildDeployment(input: WorkloadInput): IDeployment {
  const { overrides } = input;
  const port = portOf(input);
  const labels = {
    ...extraLabels(input),
    ...selectorLabels(input.app, input.track),
    [LABEL_VERSION]: versionOf(input.image),
  };
  const podLabels = input.analysis ? { ...labels, [LABEL_ANALYSIS]: 'true' } : labels;
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: overrides.probes?.path ?? MANIFEST_DEFAULTS.healthPath, port: 'http' },
    initialDelaySeconds: overrides.probes?.initialDelaySeconds ?? initialDelaySeconds,
    periodSeconds: overrides.probes?.periodSeconds ?? 10,
    failureThreshold: overrides.probes?.failureThreshold ?? 3,
  });
  const requests = { ...MANIFEST_DEFAULTS.requests, ...overrides.resources?.requests };
  const limits = { ...MANIFEST_DEFAULTS.limits, ...overrides.resources?.limits };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels,
      annotations: { [ANNOTATION_RELEASE]: input.releaseId },
    },
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: overrides.revisionHistoryLimit ?? MANIFEST_DEFAULTS.revisionHistoryLimit,
      progressDeadlineSeconds: overrides.progressDeadlineSeconds ?? MANIFEST_DEFAULTS.progressDeadlineSeconds,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: selectorLabels(input.app, input.track) },
      template: {
        metadata: {
          labels: podLabels,
          ...(overrides.podAnnotations ? { annotations: overrides.podAnnotations } : {}),
        },
        spec: {
          containers: [
            {
              name: input.app,
              image: input.image,
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
              env: Object.entries(input.env)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, value]) => ({ name, value })),
              livenessProbe: probe(15),
              readinessProbe: probe(5),
              resources: {
                requests: { cpu: quantity(requests.cpu), memory: quantity(requests.memory) },
                limits: { cpu: quantity(limits.cpu), memory: quantity(limits.memory) },
              },
            },
          ],
        },
      },
    },
  };
}

/** `v1` Service, ClusterIP, port 80 to the container's `http` port, selecting what `selector` says. */
export function buildService(
  input: ApplicationInput,
  options: { name?: string; selector?: Record<string, string> } = {},
): IService {
  const labels = { ...extraLabels(input), [LABEL_APP]: input.app };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.name ?? input.app, namespace: input.namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector: options.selector ?? { [LABEL_APP]: input.app },
      ports: [{ name: 'http', port: MANIFEST_DEFAULTS.servicePort, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** `autoscaling/v2` HorizontalPodAutoscaler on the production Deployment: CPU and memory utilisation. */
export function buildHpa(input: ApplicationInput, deploymentName: string): IHorizontalPodAutoscaler {
  const scaling = input.overrides.autoscaling ?? {};
  const target = (name: 'cpu' | 'memory', percent: number | undefined) => ({
    type: 'Resource' as const,
    resource: {
      name,
      target: { type: 'Utilization', averageUtilization: percent ?? MANIFEST_DEFAULTS.utilizationPercent },
    },
  });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: input.app,
      namespace: input.namespace,
      labels: { ...extraLabels(input), [LABEL_APP]: input.app },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
      minReplicas: minReplicasOf(input),
      maxReplicas: scaling.maxReplicas ?? MANIFEST_DEFAULTS.maxReplicas,
      metrics: [target('cpu', scaling.cpuPercent), target('memory', scaling.memoryPercent)],
    },
  };
}

export function ingressPath(servicePath: string): string {
  return `/${servicePath.replace(/^\/+/, '')}`;
}

/**
 * `networking.k8s.io/v1` Ingress on `/<servicePath>` to the Service. With `canary`, the NGINX canary
 * Ingress beside it: `weight` % of the requests go to `service` (baseline and canary).
 */
export function buildIngress(
  input: ApplicationInput,
  canary?: { name: string; service: string; weight: number },
): IIngress {
  const ingress = input.overrides.ingress ?? {};
  const host = ingress.host ?? input.defaults.ingressHost;
  const annotations: Record<string, string> = {
    ...input.defaults.ingressAnnotations,
    ...ingress.annotations,
    ...(canary
      ? {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': String(canary.weight),
        }
      : {}),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canary?.name ?? input.app,
      namespace: input.namespace,
      labels: { ...extraLabels(input), [LABEL_APP]: input.app },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      ingressClassName:
        ingress.className ?? input.defaults.ingressClassName ?? MANIFEST_DEFAULTS.ingressClassName,
      rules: [
        {
          ...(host ? { host } : {}),
          http: {
            paths: [
              {
                path: ingressPath(input.servicePath),
                pathType: 'Prefix',
                backend: {
                  service: {
                    name: canary?.service ?? input.app,
                    port: { number: MANIFEST_DEFAULTS.servicePort },
                  },
                },
              },
            ],
          },
        },
      ],
    },
  };
}

/** `monitoring.coreos.com/v1` ServiceMonitor in the monitoring namespace, selecting the app's Service. */
export function buildServiceMonitor(input: ApplicationInput): IServiceMonitor {
  const monitor = input.overrides.serviceMonitor ?? {};
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: input.app,
      namespace:
        monitor.namespace ?? input.defaults.monitoringNamespace ?? MANIFEST_DEFAULTS.monitoringNamespace,
      labels: { ...extraLabels(input), [LABEL_APP]: input.app },
    },
    spec: {
      selector: { matchLabels: { [LABEL_APP]: input.app } },
      namespaceSelector: { matchNames: [input.namespace] },
      endpoints: [
        {
          port: 'http',
          path: MANIFEST_DEFAULTS.metricsPath,
          ...(monitor.interval ? { interval: monitor.interval } : {}),
        },
      ],
    },
  };
}
