import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { buildDeployment, buildHpa, buildIngress, buildService, buildServiceMonitor } from './builders.js';
import { imageVersion, versionOf } from './labels.js';
import { type ApplicationInput, type WorkloadInput } from './manifest-input.js';
import { ManifestInvalidError, validateManifest } from './validate.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tools-featureflag-api');

/** The team's feature-flag service, as its Jenkins library deployed it to production. */
const featureFlag: ApplicationInput = {
  app: 'tools-featureflag-api',
  namespace: 'production',
  servicePath: 'featureflag',
  overrides: { port: 3000, resources: { limits: { cpu: '500m' } } },
  defaults: { ingressHost: 'api.example.com' },
};
const workload: WorkloadInput = {
  ...featureFlag,
  name: 'tools-featureflag-api',
  track: 'stable',
  image: 'registry.example.com/tools/tools-featureflag-api:3f2a9c1',
  env: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
  replicas: 2,
  releaseId: 'exec-42/deploy-production/1',
};

const objects = {
  deployment: buildDeployment(workload),
  service: buildService(featureFlag),
  hpa: buildHpa(featureFlag, 'tools-featureflag-api'),
  ingress: buildIngress(featureFlag),
  servicemonitor: buildServiceMonitor(featureFlag),
};

describe('manifests of the feature-flag service', () => {
  // UPDATE_MANIFEST_FIXTURES=1 rewrites the files after an intended change; review the diff.
  it.each(Object.entries(objects))('%s matches the committed YAML', (name, object) => {
    const file = join(fixtures, `${name}.yaml`);
    const text = stringify(object, { aliasDuplicateObjects: false });
    if (process.env['UPDATE_MANIFEST_FIXTURES'] === '1' || !existsSync(file)) {
      mkdirSync(fixtures, { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('are valid against the official schemas, with current API versions', () => {
    for (const object of Object.values(objects)) validateManifest(object);
    expect(Object.values(objects).map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'apps/v1 Deployment',
      'v1 Service',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'networking.k8s.io/v1 Ingress',
      'monitoring.coreos.com/v1 ServiceMonitor',
    ]);
  });
});

describe('manifest builders', () => {
  it('label every object with app, and Deployments with track and version', () => {
    const canary = buildDeployment({ ...workload, name: 'tools-featureflag-api-canary', track: 'canary' });
    expect(canary.spec?.template.metadata?.labels).toEqual({
      app: 'tools-featureflag-api',
      'aviary.dev/track': 'canary',
      'aviary.dev/version': '3f2a9c1',
    });
    expect(canary.spec?.selector.matchLabels).toEqual({
      app: 'tools-featureflag-api',
      'aviary.dev/track': 'canary',
    });
  });

  it('take per-environment overrides: labels, resources, probes, autoscaling, ingress, monitor', () => {
    const input: ApplicationInput = {
      ...featureFlag,
      overrides: {
        port: 8080,
        labels: { team: 'tools' },
        resources: { requests: { cpu: 0.25 }, limits: { memory: '1Gi' } },
        probes: { path: '/ready', periodSeconds: 5 },
        autoscaling: { minReplicas: 3, maxReplicas: 6, cpuPercent: 80 },
        ingress: { className: 'internal', host: 'flags.example.com', annotations: { a: 'b' } },
        serviceMonitor: { namespace: 'observability', interval: '15s' },
      },
      defaults: { labels: { cost: 'shared' }, ingressHost: 'api.example.com' },
    };
    const deployment = buildDeployment({ ...workload, ...input });
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.resources).toEqual({
      requests: { cpu: '0.25', memory: '128Mi' },
      limits: { cpu: '500m', memory: '1Gi' },
    });
    expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(container.readinessProbe?.periodSeconds).toBe(5);
    expect(deployment.metadata?.labels).toMatchObject({ team: 'tools', cost: 'shared' });
    expect(buildHpa(input, 'x').spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    expect(buildIngress(input)).toMatchObject({
      metadata: { annotations: { a: 'b' } },
      spec: { ingressClassName: 'internal', rules: [{ host: 'flags.example.com' }] },
    });
    expect(buildServiceMonitor(input)).toMatchObject({
      metadata: { namespace: 'observability' },
      spec: { endpoints: [{ interval: '15s' }] },
    });
  });

  it('build the NGINX canary Ingress with its weight', () => {
    const canary = buildIngress(featureFlag, {
      name: 'tools-featureflag-api-canary',
      service: 'tools-featureflag-api-canary',
      weight: 40,
    });
    expect(canary.metadata?.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '40',
    });
    expect(canary.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe(
      'tools-featureflag-api-canary',
    );
    validateManifest(canary);
  });

  it('refuse an invalid object with the schema error', () => {
    const broken = buildDeployment({ ...workload, replicas: -1 });
    (broken.spec!.template.spec!.containers[0] as { image?: unknown }).image = 42;
    let error: unknown;
    try {
      validateManifest(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect((error as Error).message).toBe(
      'Deployment production/tools-featureflag-api is invalid: spec.template.spec.containers[0].image: must be string',
    );
  });

  it('turn an image into a version label', () => {
    expect(versionOf('registry.example.com:5000/team/api:1.2.3')).toBe('1.2.3');
    expect(versionOf('api')).toBe('latest');
    expect(versionOf('api@sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(versionOf('r.io/api:v1+build.7')).toBe('v1-build.7');
    // What the builder pushes: the commit's tag with the digest; the tag is the version people know.
    expect(versionOf('registry.local:5000/shop:3f2a9c1@sha256:0123456789abcdef0123')).toBe('3f2a9c1');
  });

  it('tell which version an image is: tag, else digest, else latest', () => {
    expect(imageVersion('registry.local:5000/team/shop:1.4.2')).toBe('1.4.2');
    expect(imageVersion('registry.local:5000/shop:1.4.2@sha256:abc')).toBe('1.4.2');
    expect(imageVersion('shop@sha256:abc')).toBe('sha256:abc');
    expect(imageVersion('registry.local:5000/shop')).toBe('latest');
  });
});
