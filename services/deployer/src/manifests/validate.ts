import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { Service } from 'kubernetes-models/v1/Service';

/** A Kubernetes object as sent: typed metadata, the rest as the builders made it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** An object that does not match the official schema: the stage fails with this message. */
export class ManifestInvalidError extends Error {
  constructor(
    readonly object: string,
    readonly causes: string[],
  ) {
    super(`${object} is invalid: ${causes.join('; ')}`);
    this.name = 'ManifestInvalidError';
  }
}

type ModelClass = new (data: never) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image` */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function describe(error: SchemaError): string {
  if (error.keyword === 'required')
    return `${fieldPath(`${error.instancePath}/${String(error.params['missingProperty'])}`)}: Required value`;
  return `${fieldPath(error.instancePath) || '(object)'}: ${error.message ?? error.keyword}`;
}

/**
 * Checks an object against the official schema of its kind (kubernetes-models, and the
 * Prometheus-operator model for ServiceMonitor); throws ManifestInvalidError naming each bad field.
 */
export function validateManifest(object: Manifest): void {
  const label = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new ManifestInvalidError(label, [`no schema for ${object.apiVersion} ${object.kind}`]);
  try {
    new Model(object as never).validate();
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    throw new ManifestInvalidError(label, [...new Set(errors.map(describe))]);
  }
}
