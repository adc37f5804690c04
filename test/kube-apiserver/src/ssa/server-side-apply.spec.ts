import { describe, expect, it } from '@jest/globals';
import { DEPLOYMENTS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { describePath } from './field-set.js';
import { serverSideApply } from './server-side-apply.js';
import { trackUpdate } from './update-tracking.js';

const skeleton: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
};

function deployment(containers: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 2, template: { spec: { containers } }, ...extra },
  };
}

function apply(live: KubeObject, config: KubeObject, manager = 'aviary', force = false): KubeObject {
  const outcome = serverSideApply({ resource: DEPLOYMENTS, live, config, manager, force });
  if (outcome.conflicts)
    throw new Error(`unexpected conflicts: ${outcome.conflicts.map((c) => describePath(c.path)).join()}`);
  return outcome.object;
}

const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

const containersOf = (o: KubeObject) =>
  (o.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers;

describe('server-side apply', () => {
  it('records the applied fields, list items keyed as Kubernetes keys them', () => {
    const applied = apply(
      skeleton,
      deployment([{ name: 'web', image: 'web:1', ports: [{ containerPort: 3000 }] }]),
    );
    const [entry] = applied.metadata.managedFields!;
    expect(entry).toMatchObject({
      manager: 'aviary',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
    });
    const container = at(
      entry!.fieldsV1,
      'f:spec',
      'f:template',
      'f:spec',
      'f:containers',
      'k:{"name":"web"}',
    );
    expect(at(container, '.')).toEqual({});
    expect(at(container, 'f:ports', 'k:{"containerPort":3000,"protocol":"TCP"}')).toEqual({
      '.': {},
      'f:containerPort': {},
    });
  });

  it('merges containers and env by name, keeping what another manager owns', () => {
    const first = apply(
      skeleton,
      deployment([{ name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }] }]),
    );
    const withSidecar = apply(first, deployment([{ name: 'proxy', image: 'envoy:1' }]), 'mesh');
    expect(containersOf(withSidecar).map((c) => c.name)).toEqual(['web', 'proxy']);
    const updated = apply(
      withSidecar,
      deployment([
        {
          name: 'web',
          image: 'web:2',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ]),
    );
    expect(containersOf(updated)).toEqual([
      {
        name: 'web',
        image: 'web:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'proxy', image: 'envoy:1' },
    ]);
  });

  it('removes the fields a manager stops applying when nobody else owns them', () => {
    const first = apply(
      skeleton,
      deployment(
        [
          {
            name: 'web',
            image: 'web:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
        ],
        { minReadySeconds: 5 },
      ),
    );
    const second = apply(
      first,
      deployment([{ name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }] }]),
    );
    expect(containersOf(second)[0]!.env).toEqual([{ name: 'A', value: '1' }]);
    expect((second.spec as Record<string, unknown>).minReadySeconds).toBeUndefined();
  });

  it('refuses to change a field another manager owns, unless forced; forcing takes it over', () => {
    const first = apply(skeleton, deployment([{ name: 'web', image: 'web:1' }]));
    const outcome = serverSideApply({
      resource: DEPLOYMENTS,
      live: first,
      config: deployment([{ name: 'web', image: 'web:2' }]),
      manager: 'other',
      force: false,
    });
    expect(outcome.conflicts?.map((c) => [c.manager, describePath(c.path)])).toEqual([
      ['aviary', '.spec.template.spec.containers[name="web"].image'],
    ]);
    const forced = apply(first, deployment([{ name: 'web', image: 'web:2' }]), 'other', true);
    expect(containersOf(forced)[0]!.image).toBe('web:2');
    const aviary = forced.metadata.managedFields!.find((m) => m.manager === 'aviary')!;
    expect(JSON.stringify(aviary.fieldsV1)).not.toContain('f:image');
  });

  it('lets two managers apply the same value without conflict (shared ownership)', () => {
    const first = apply(skeleton, deployment([{ name: 'web', image: 'web:1' }]));
    const shared = serverSideApply({
      resource: DEPLOYMENTS,
      live: first,
      config: deployment([{ name: 'web', image: 'web:1' }]),
      manager: 'other',
      force: false,
    });
    expect(shared.conflicts).toBeUndefined();
  });

  it('hands a field to an updater (kubectl scale), so a later apply of another value conflicts', () => {
    const applied = apply(skeleton, deployment([{ name: 'web', image: 'web:1' }]));
    const scaled = { ...applied, spec: { ...(applied.spec as object), replicas: 5 } };
    scaled.metadata = {
      ...scaled.metadata,
      managedFields: trackUpdate(DEPLOYMENTS, applied, scaled, 'kubectl'),
    };
    const outcome = serverSideApply({
      resource: DEPLOYMENTS,
      live: scaled,
      config: deployment([{ name: 'web', image: 'web:1' }]),
      manager: 'aviary',
      force: false,
    });
    expect(outcome.conflicts?.map((c) => [c.manager, describePath(c.path)])).toEqual([
      ['kubectl', '.spec.replicas'],
    ]);
  });
});
