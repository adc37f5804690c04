import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../api/errors.js';
import { resourceByName } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { validateObject } from './validate.js';

function causesOf(kind: string, object: KubeObject, previous?: KubeObject) {
  try {
    validateObject(resourceByName(kind), object, previous);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(422);
    return ((error as ApiError).details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
}

const deployment = (container: Record<string, unknown>, labels = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels }, spec: { containers: [container] } },
  },
});

describe('validation', () => {
  it('accepts a valid deployment', () => {
    expect(
      causesOf('Deployment', deployment({ name: 'web', image: 'web:1', ports: [{ containerPort: 3000 }] })),
    ).toEqual([]);
  });

  it('names the fields the schema refuses', () => {
    const bad = deployment({
      name: 'web',
      image: 'web:1',
      ports: [{ containerPort: 'http' }],
      resources: { limits: { cpu: 'lots' } },
    });
    expect(causesOf('Deployment', bad)).toEqual([
      expect.stringMatching(
        /^spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: "http"/,
      ),
      expect.stringMatching(
        /^spec\.template\.spec\.containers\[0\]\.resources\.limits\.cpu: Invalid value: "lots"/,
      ),
    ]);
  });

  it('applies the API server rules the schema does not hold: image required, port range, selector match', () => {
    expect(
      causesOf(
        'Deployment',
        deployment({ name: 'web', ports: [{ containerPort: 70000 }] }, { app: 'other' }),
      ),
    ).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
      'spec.template.spec.containers[0].image: Required value',
      'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
  });

  it('refuses a change to an immutable selector', () => {
    const before = deployment({ name: 'web', image: 'web:1' });
    const after = deployment({ name: 'web', image: 'web:1' }, { app: 'web', track: 'x' } as never);
    (after.spec as { selector: unknown }).selector = { matchLabels: { app: 'web', track: 'x' } };
    expect(causesOf('Deployment', after, before)).toEqual([
      expect.stringMatching(/^spec\.selector: .*field is immutable$/),
    ]);
  });

  it('validates ServiceMonitors against the Prometheus operator schema', () => {
    const monitor = (port: unknown): KubeObject => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'monitoring' },
      spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port, path: '/metrics' }] },
    });
    expect(causesOf('ServiceMonitor', monitor('http'))).toEqual([]);
    expect(causesOf('ServiceMonitor', monitor(8080))).toEqual([
      expect.stringMatching(/^spec\.endpoints\[0\]\.port: Invalid value: 8080/),
    ]);
  });
});
