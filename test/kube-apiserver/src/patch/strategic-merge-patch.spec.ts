import { describe, expect, it } from '@jest/globals';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic-merge-patch.js';

const live = {
  spec: {
    replicas: 2,
    template: {
      metadata: { annotations: { a: '1' } },
      spec: {
        containers: [
          { name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }] },
          { name: 'proxy', image: 'envoy:1' },
        ],
      },
    },
  },
};

describe('strategic merge patch', () => {
  it('adds an annotation the way kubectl rollout restart does', () => {
    const patched = strategicMergePatch(live, {
      spec: { template: { metadata: { annotations: { restartedAt: 'now' } } } },
    });
    expect(patched).toMatchObject({
      spec: { template: { metadata: { annotations: { a: '1', restartedAt: 'now' } } } },
    });
  });

  it('merges containers by name, and deletes one with $patch: delete', () => {
    const patched = strategicMergePatch(live, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'proxy', $patch: 'delete' },
            ],
          },
        },
      },
    }) as typeof live;
    expect(patched.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'web:2', env: [{ name: 'A', value: '1' }] },
    ]);
  });

  it('deletes a field given null; JSON merge patch replaces lists whole', () => {
    expect(strategicMergePatch(live, { spec: { replicas: null } })).toEqual({
      spec: { template: live.spec.template },
    });
    const merged = mergePatch(live, {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'web:3' }] } } },
    }) as typeof live;
    expect(merged.spec.template.spec.containers).toEqual([{ name: 'web', image: 'web:3' }]);
  });
});
