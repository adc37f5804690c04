import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

export type Subresource = 'status' | 'scale' | 'log';

/** One REST resource the server speaks, with the official schema its objects are checked against. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  subresources: Subresource[];
  /** Custom resources (CRDs) differ a little: no strategic merge patch, list items keep kind/apiVersion. */
  custom: boolean;
  /** Throws the schema's ValidationError when the object does not match the official schema. */
  validateSchema(object: object): void;
}

type ModelClass = new (data?: never) => { validate(): void };

function schemaOf(Model: ModelClass): (object: object) => void {
  return (object) => new Model(object as never).validate();
}

function resource(
  definition: Omit<ResourceType, 'shortNames' | 'subresources' | 'custom' | 'validateSchema'> &
    Partial<Pick<ResourceType, 'shortNames' | 'subresources' | 'custom'>>,
  Model: ModelClass,
): ResourceType {
  return { shortNames: [], subresources: [], custom: false, ...definition, validateSchema: schemaOf(Model) };
}

export const RESOURCES: readonly ResourceType[] = [
  resource(
    {
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      singular: 'namespace',
      namespaced: false,
      shortNames: ['ns'],
      subresources: ['status'],
    },
    Namespace,
  ),
  resource(
    {
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      singular: 'pod',
      namespaced: true,
      shortNames: ['po'],
      subresources: ['status', 'log'],
    },
    Pod,
  ),
  resource(
    {
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      singular: 'service',
      namespaced: true,
      shortNames: ['svc'],
      subresources: ['status'],
    },
    Service,
  ),
  resource(
    {
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      singular: 'configmap',
      namespaced: true,
      shortNames: ['cm'],
    },
    ConfigMap,
  ),
  resource(
    { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true },
    Secret,
  ),
  resource(
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      singular: 'deployment',
      namespaced: true,
      shortNames: ['deploy'],
      subresources: ['status', 'scale'],
    },
    Deployment,
  ),
  resource(
    {
      group: 'apps',
      version: 'v1',
      kind: 'ReplicaSet',
      plural: 'replicasets',
      singular: 'replicaset',
      namespaced: true,
      shortNames: ['rs'],
      subresources: ['status', 'scale'],
    },
    ReplicaSet,
  ),
  resource(
    {
      group: 'autoscaling',
      version: 'v2',
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      singular: 'horizontalpodautoscaler',
      namespaced: true,
      shortNames: ['hpa'],
      subresources: ['status'],
    },
    HorizontalPodAutoscaler,
  ),
  resource(
    {
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'Ingress',
      plural: 'ingresses',
      singular: 'ingress',
      namespaced: true,
      shortNames: ['ing'],
      subresources: ['status'],
    },
    Ingress,
  ),
  resource(
    {
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      singular: 'serviceaccount',
      namespaced: true,
      shortNames: ['sa'],
    },
    ServiceAccount,
  ),
  // Stored and validated only (no controller runs them): enough to apply a Helm chart's RBAC and NATS.
  resource(
    {
      group: 'apps',
      version: 'v1',
      kind: 'StatefulSet',
      plural: 'statefulsets',
      singular: 'statefulset',
      namespaced: true,
      shortNames: ['sts'],
      subresources: ['status', 'scale'],
    },
    StatefulSet,
  ),
  resource(
    {
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'Role',
      plural: 'roles',
      singular: 'role',
      namespaced: true,
    },
    Role,
  ),
  resource(
    {
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'RoleBinding',
      plural: 'rolebindings',
      singular: 'rolebinding',
      namespaced: true,
    },
    RoleBinding,
  ),
  resource(
    {
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'ClusterRole',
      plural: 'clusterroles',
      singular: 'clusterrole',
      namespaced: false,
    },
    ClusterRole,
  ),
  resource(
    {
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'ClusterRoleBinding',
      plural: 'clusterrolebindings',
      singular: 'clusterrolebinding',
      namespaced: false,
    },
    ClusterRoleBinding,
  ),
  resource(
    {
      group: 'monitoring.coreos.com',
      version: 'v1',
      kind: 'ServiceMonitor',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
      namespaced: true,
      shortNames: ['smon'],
      custom: true,
    },
    ServiceMonitor,
  ),
];

export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `deployments.apps`, as Kubernetes names a resource in its messages. */
export function qualifiedName(resource: ResourceType): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** The resource of an object's `apiVersion` and `kind`, if the server knows it. */
export function resourceOfObject(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** By kind (`Deployment`), plural (`deployments`) or short name (`deploy`), case-insensitive. */
export function resourceByName(name: string): ResourceType {
  const wanted = name.toLowerCase();
  const found = RESOURCES.find(
    (r) => r.kind.toLowerCase() === wanted || r.plural === wanted || r.shortNames.includes(wanted),
  );
  if (!found) throw new Error(`unknown resource kind ${name}`);
  return found;
}

export const NAMESPACES = resourceByName('namespaces');
export const PODS = resourceByName('pods');
export const DEPLOYMENTS = resourceByName('deployments');
export const REPLICA_SETS = resourceByName('replicasets');
export const HPAS = resourceByName('horizontalpodautoscalers');
