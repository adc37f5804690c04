import type { StatusCause } from '../api/errors.js';
import { deepEqual, isObject, type JsonObject } from '../json.js';
import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { type LabelSelectorObject, matches, requirementsOf } from '../selectors/label-selector.js';

/**
 * The checks the Kubernetes API server makes beyond the OpenAPI schema (its `validation.go`), for the
 * kinds served here: names, labels, containers, ports, selectors, replica bounds, immutable fields.
 */
type Check = (object: KubeObject, add: (cause: StatusCause) => void) => void;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});
const notSupported = (field: string, value: unknown, supported: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
  field,
});
const duplicate = (field: string, value: unknown): StatusCause => ({
  reason: 'FieldValueDuplicate',
  message: `Duplicate value: ${JSON.stringify(value)}`,
  field,
});

const asObject = (value: unknown): JsonObject => (isObject(value) ? value : {});
const asList = (value: unknown): JsonObject[] => (Array.isArray(value) ? value.map(asObject) : []);
const isPort = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

function checkPortRef(value: unknown, field: string, add: (c: StatusCause) => void): void {
  if (value === undefined) return;
  if (typeof value === 'number' && !isPort(value))
    add(invalidValue(field, value, 'must be between 1 and 65535, inclusive'));
  if (typeof value === 'string' && !IANA_SVC_NAME.test(value)) {
    add(invalidValue(field, value, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
  }
}

function checkLabels(labels: unknown, field: string, add: (c: StatusCause) => void): void {
  for (const [key, value] of Object.entries(asObject(labels))) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) : [undefined, key];
    if (
      !name ||
      name.length > 63 ||
      !QUALIFIED_NAME.test(name) ||
      (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix))
    ) {
      add(invalidValue(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.'"));
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      add(
        invalidValue(
          `${field}`,
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'",
        ),
      );
    }
  }
}

const checkMetadata =
  (namePattern: RegExp, maxLength: number, what: string): Check =>
  (object, add) => {
    const name = object.metadata.name;
    if (!name) add(required('metadata.name'));
    else if (name.length > maxLength || !namePattern.test(name))
      add(invalidValue('metadata.name', name, what));
    checkLabels(object.metadata.labels, 'metadata.labels', add);
  };

function checkContainer(container: JsonObject, field: string, add: (c: StatusCause) => void): void {
  const name = container.name;
  if (typeof name === 'string' && !DNS1123_LABEL.test(name)) {
    add(
      invalidValue(
        `${field}.name`,
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
      ),
    );
  }
  if (typeof container.image !== 'string' || container.image.trim() === '') add(required(`${field}.image`));
  const portNames = new Set<string>();
  asList(container.ports).forEach((port, i) => {
    const at = `${field}.ports[${i}]`;
    if (port.containerPort !== undefined && !isPort(port.containerPort)) {
      add(invalidValue(`${at}.containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive'));
    }
    if (port.hostPort !== undefined && port.hostPort !== 0 && !isPort(port.hostPort)) {
      add(invalidValue(`${at}.hostPort`, port.hostPort, 'must be between 1 and 65535, inclusive'));
    }
    if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol as string)) {
      add(notSupported(`${at}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    }
    if (typeof port.name === 'string') {
      if (port.name.length > 15 || !IANA_SVC_NAME.test(port.name)) {
        add(
          invalidValue(
            `${at}.name`,
            port.name,
            "must be no more than 15 characters, lower case alphanumeric and '-'",
          ),
        );
      }
      if (portNames.has(port.name)) add(duplicate(`${at}.name`, port.name));
      portNames.add(port.name);
    }
  });
  asList(container.env).forEach((env, i) => {
    if (!env.name) add(required(`${field}.env[${i}].name`));
  });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = asObject(container[probe]);
    checkPortRef(asObject(p.httpGet).port, `${field}.${probe}.httpGet.port`, add);
    checkPortRef(asObject(p.tcpSocket).port, `${field}.${probe}.tcpSocket.port`, add);
  }
}

function checkPodSpec(spec: JsonObject, field: string, add: (c: StatusCause) => void): void {
  const containers = asList(spec.containers);
  if (containers.length === 0) add(required(`${field}.containers`));
  const names = new Set<unknown>();
  for (const listName of ['initContainers', 'containers']) {
    asList(spec[listName]).forEach((container, i) => {
      const at = `${field}.${listName}[${i}]`;
      checkContainer(container, at, add);
      if (names.has(container.name)) add(duplicate(`${at}.name`, container.name));
      names.add(container.name);
    });
  }
}

const checkPod: Check = (object, add) => checkPodSpec(asObject(object.spec), 'spec', add);

function percentOrInt(value: unknown, of: number): number {
  if (typeof value === 'string' && value.endsWith('%'))
    return Math.ceil((Number.parseInt(value, 10) / 100) * of);
  return typeof value === 'number' ? value : Number.NaN;
}

const checkWorkload: Check = (object, add) => {
  const spec = asObject(object.spec);
  const selector = spec.selector as LabelSelectorObject | undefined;
  const template = asObject(spec.template);
  const templateLabels = asObject(asObject(template.metadata).labels) as Record<string, string>;
  if (selector && requirementsOf(selector).length === 0) {
    add(invalidValue('spec.selector', selector, 'empty selector is invalid for deployment'));
  } else if (selector && !matches(requirementsOf(selector), templateLabels)) {
    add(
      invalidValue(
        'spec.template.metadata.labels',
        templateLabels,
        '`selector` does not match template `labels`',
      ),
    );
  }
  checkLabels(templateLabels, 'spec.template.metadata.labels', add);
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    add(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  }
  const podSpec = asObject(template.spec);
  checkPodSpec(podSpec, 'spec.template.spec', add);
  if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== 'Always') {
    add(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy, ['Always']));
  }
  const rolling = asObject(asObject(spec.strategy).rollingUpdate);
  if (percentOrInt(rolling.maxSurge, 100) === 0 && percentOrInt(rolling.maxUnavailable, 100) === 0) {
    add(
      invalidValue(
        'spec.strategy.rollingUpdate.maxUnavailable',
        rolling.maxUnavailable,
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  }
  if (percentOrInt(rolling.maxUnavailable, 100) > 100) {
    add(
      invalidValue(
        'spec.strategy.rollingUpdate.maxUnavailable',
        rolling.maxUnavailable,
        'must not be greater than 100%',
      ),
    );
  }
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= ((spec.minReadySeconds as number | undefined) ?? 0)) {
    add(invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
};

const checkService: Check = (object, add) => {
  const spec = asObject(object.spec);
  const type = spec.type ?? 'ClusterIP';
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (!types.includes(type as string)) add(notSupported('spec.type', type, types));
  const ports = asList(spec.ports);
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') add(required('spec.ports'));
  const names = new Set<unknown>();
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    if (!isPort(port.port))
      add(invalidValue(`${at}.port`, port.port, 'must be between 1 and 65535, inclusive'));
    checkPortRef(port.targetPort, `${at}.targetPort`, add);
    if (ports.length > 1 && !port.name) add(required(`${at}.name`));
    if (port.name !== undefined && names.has(port.name)) add(duplicate(`${at}.name`, port.name));
    names.add(port.name);
    const nodePort = port.nodePort;
    if (nodePort !== undefined && (typeof nodePort !== 'number' || nodePort < 30000 || nodePort > 32767)) {
      add(
        invalidValue(
          `${at}.nodePort`,
          nodePort,
          'provided port is not in the valid range. The range of valid ports is 30000-32767',
        ),
      );
    }
  });
  checkLabels(spec.selector, 'spec.selector', add);
};

const checkHpa: Check = (object, add) => {
  const spec = asObject(object.spec);
  const min = (spec.minReplicas as number | undefined) ?? 1;
  if (min < 1) add(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < min) {
    add(invalidValue('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
};

const checkIngress: Check = (object, add) => {
  asList(asObject(object.spec).rules).forEach((rule, r) => {
    asList(asObject(rule.http).paths).forEach((path, p) => {
      const at = `spec.rules[${r}].http.paths[${p}]`;
      if (
        (path.pathType === 'Prefix' || path.pathType === 'Exact') &&
        !(typeof path.path === 'string' && path.path.startsWith('/'))
      ) {
        add(invalidValue(`${at}.path`, path.path, 'must be an absolute path'));
      }
      if (
        path.pathType !== undefined &&
        !['Exact', 'Prefix', 'ImplementationSpecific'].includes(path.pathType as string)
      ) {
        add(notSupported(`${at}.pathType`, path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
      }
      checkPortRef(
        asObject(asObject(asObject(path.backend).service).port).number,
        `${at}.backend.service.port.number`,
        add,
      );
    });
  });
};

const subdomainName = checkMetadata(
  DNS1123_SUBDOMAIN,
  253,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
);
const labelName = checkMetadata(
  DNS1123_LABEL,
  63,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
);
const serviceName = checkMetadata(
  DNS1035_LABEL,
  63,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
);

const CHECKS: Record<string, Check[]> = {
  Namespace: [labelName],
  Pod: [subdomainName, checkPod],
  Service: [serviceName, checkService],
  Deployment: [subdomainName, checkWorkload],
  ReplicaSet: [subdomainName, checkWorkload],
  StatefulSet: [subdomainName, checkWorkload],
  HorizontalPodAutoscaler: [subdomainName, checkHpa],
  Ingress: [subdomainName, checkIngress],
};

export function apiRuleCauses(resource: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const check of CHECKS[resource.kind] ?? [subdomainName]) check(object, (c) => causes.push(c));
  return causes;
}

const IMMUTABLE: Record<string, string[][]> = {
  Deployment: [['spec', 'selector']],
  ReplicaSet: [['spec', 'selector']],
  StatefulSet: [['spec', 'selector']],
  Service: [['spec', 'clusterIP']],
};

/** Fields that may not change once set. */
export function immutableFieldCauses(
  resource: ResourceType,
  previous: KubeObject,
  next: KubeObject,
): StatusCause[] {
  return (IMMUTABLE[resource.kind] ?? []).flatMap((path) => {
    const at = (o: unknown) => path.reduce<unknown>((v, k) => asObject(v)[k], o);
    return deepEqual(at(previous), at(next))
      ? []
      : [invalidValue(path.join('.'), at(next), 'field is immutable')];
  });
}
