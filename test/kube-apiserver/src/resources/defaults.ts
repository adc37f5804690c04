import { isObject, type JsonObject } from '../json.js';
import type { ResourceType } from './catalog.js';
import type { KubeObject } from './kube-object.js';

/**
 * The defaults the API server fills in before validating and storing, for the fields a deployer sees
 * again (replicas, strategy, protocols, target ports, a cluster IP). Mutates `object`.
 */
export function applyDefaults(resource: ResourceType, object: KubeObject, previous?: KubeObject): void {
  const spec = child(object, 'spec');
  switch (resource.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      defaultWorkload(resource.kind, spec);
      break;
    case 'Pod':
      defaultPodSpec(spec);
      break;
    case 'Service':
      defaultService(spec, previous);
      break;
    case 'Namespace':
      spec.finalizers ??= ['kubernetes'];
      object.status = { phase: 'Active' };
      break;
    case 'Secret':
      object.type ??= 'Opaque';
      break;
  }
  if (
    Object.keys(spec).length === 0 &&
    !['Deployment', 'Pod', 'Service', 'Namespace'].includes(resource.kind)
  ) {
    delete object.spec;
  }
}

function child(parent: JsonObject, key: string): JsonObject {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as JsonObject;
}

function defaultWorkload(kind: string, spec: JsonObject): void {
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (kind === 'Deployment') {
    spec.progressDeadlineSeconds ??= 600;
    const strategy = child(spec, 'strategy');
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const rolling = child(strategy, 'rollingUpdate');
      rolling.maxSurge ??= '25%';
      rolling.maxUnavailable ??= '25%';
    }
  }
  defaultPodSpec(child(child(spec, 'template'), 'spec'));
}

function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const list of ['initContainers', 'containers']) {
    if (!Array.isArray(spec[list])) continue;
    for (const container of spec[list] as unknown[]) if (isObject(container)) defaultContainer(container);
  }
}

function defaultContainer(container: JsonObject): void {
  const image = typeof container.image === 'string' ? container.image : '';
  const tag = image.includes('@') ? 'digest' : (image.split('/').at(-1)?.split(':')[1] ?? 'latest');
  container.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.resources ??= {};
  if (Array.isArray(container.ports)) {
    for (const port of container.ports as unknown[]) if (isObject(port)) port.protocol ??= 'TCP';
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = container[probe];
    if (!isObject(p)) continue;
    p.timeoutSeconds ??= 1;
    p.periodSeconds ??= 10;
    p.successThreshold ??= 1;
    p.failureThreshold ??= 3;
    if (isObject(p.httpGet)) p.httpGet.scheme ??= 'HTTP';
  }
}

let nextClusterIp = 1;

function defaultService(spec: JsonObject, previous: KubeObject | undefined): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  const previousIp = isObject(previous?.spec) ? previous.spec.clusterIP : undefined;
  if (spec.type !== 'ExternalName') {
    spec.clusterIP ??=
      previousIp ?? `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp++ % 250) + 1}`;
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports as unknown[]) {
      if (!isObject(port)) continue;
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
  }
}
