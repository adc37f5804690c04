import { describe, expect, it } from '@jest/globals';
import { PODS } from '../resources/catalog.js';
import { ObjectStore } from './object-store.js';

describe('the object store', () => {
  it('lists by namespace and predicate, handing out copies of only what matches', () => {
    const store = new ObjectStore(100);
    const pod = (namespace: string, name: string, owner: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace, name, labels: { owner } },
    });
    store.create(PODS, pod('a', 'p1', 'rs-1'));
    store.create(PODS, pod('a', 'p2', 'rs-2'));
    store.create(PODS, pod('b', 'p3', 'rs-1'));

    const owned = store.list(PODS, 'a', (p) => p.metadata.labels?.['owner'] === 'rs-1');
    expect(owned.map((p) => p.metadata.name)).toEqual(['p1']);
    owned[0]!.metadata.labels = { owner: 'changed' };
    expect(store.get(PODS, 'a', 'p1')?.metadata.labels).toEqual({ owner: 'rs-1' });
    expect(store.list(PODS, undefined, (p) => p.metadata.labels?.['owner'] === 'rs-1')).toHaveLength(2);
    expect(store.list(PODS, 'a')).toHaveLength(2);
  });
});
