import { describe, expect, it } from '@jest/globals';
import { release } from '../testing/releases.js';
import { type Release } from '../release/release.js';
import { environmentViews, type StoredRelease } from './server-groups.js';

let clock = Date.parse('2026-11-20T10:00:00Z');
function stored(r: Release): StoredRelease {
  clock += 60_000;
  return { release: r, createdAt: new Date(clock), updatedAt: new Date(clock + 30_000) };
}

const v1 = 'registry.local/shop:1.0.0';
const v2 = 'registry.local/shop:2.0.0';
const production = (image: string) => ({
  deployment: 'shop',
  image,
  env: {},
  replicas: 3,
  autoscaled: false,
});

describe('environmentViews', () => {
  it('shows the version a promoted rolling release runs, with the release that put it there', () => {
    const first = stored(release('shop', v1, { state: 'promoted', options: { replicas: 3 } }));
    const second = stored(
      release('shop', v2, { state: 'healthy', previous: production(v1), deployment: 'shop' }),
    );
    const [view] = environmentViews([first, second]);
    expect(view!.serverGroups).toEqual([
      {
        name: 'shop',
        role: 'production',
        image: v2,
        version: '2.0.0',
        replicas: 3,
        health: 'healthy',
        releaseId: second.release.id,
        executionId: second.release.executionId,
        deployedAt: second.updatedAt.toISOString(),
      },
    ]);
    expect(view!.lastRelease).toMatchObject({ state: 'healthy', strategy: 'rolling', image: v2 });
  });

  it('shows production, baseline and canary while a canary runs, production from the older release', () => {
    const first = stored(release('shop', v1, { state: 'healthy', options: { replicas: 3 } }));
    const canary = stored(
      release('shop', v2, {
        strategy: 'canary',
        state: 'healthy',
        previous: production(v1),
        options: { canaryReplicas: 1, baselineReplicas: 1 },
      }),
    );
    const [view] = environmentViews([canary, first]);
    expect(
      view!.serverGroups.map((g) => [g.name, g.role, g.version, g.replicas, g.health, g.releaseId]),
    ).toEqual([
      ['shop', 'production', '1.0.0', 3, 'healthy', first.release.id],
      ['shop-baseline', 'baseline', '1.0.0', 1, 'healthy', canary.release.id],
      ['shop-canary', 'canary', '2.0.0', 1, 'healthy', canary.release.id],
    ]);
  });

  it('leaves production as it was after a failed or rolled-back canary', () => {
    const failed = stored(
      release('shop', v2, {
        strategy: 'canary',
        state: 'rolled-back',
        previous: production(v1),
        reason: 'canary score 40 below 75',
      }),
    );
    const [view] = environmentViews([failed]);
    expect(view!.serverGroups.map((g) => [g.role, g.version, g.health])).toEqual([
      ['production', '1.0.0', 'healthy'],
    ]);
    expect(view!.serverGroups[0]!.releaseId).toBeUndefined();
    expect(view!.lastRelease).toMatchObject({ state: 'rolled-back', reason: 'canary score 40 below 75' });
  });

  it('shows the previous Deployment of a blue-green release kept scaled down until it is deleted', () => {
    const bg = stored(
      release('shop', v2, {
        strategy: 'blue-green',
        state: 'healthy',
        previous: production(v1),
        deployment: 'shop-alt',
        retire: { deployment: 'shop', at: '2026-11-20T12:00:00Z' },
      }),
    );
    const [view] = environmentViews([bg]);
    expect(view!.serverGroups.map((g) => [g.name, g.role, g.version, g.replicas, g.health])).toEqual([
      ['shop-alt', 'production', '2.0.0', 3, 'healthy'],
      ['shop', 'previous', '1.0.0', 0, 'retiring'],
    ]);
  });

  it('shows a rolling deploy in progress, and one view per environment sorted by name', () => {
    const homolog = stored(
      release('shop', v2, { environment: 'homolog', namespace: 'homolog', state: 'healthy' }),
    );
    const prod = stored(release('shop', v2, { state: 'deploying', previous: production(v1) }));
    const views = environmentViews([prod, homolog]);
    expect(views.map((v) => v.environment)).toEqual(['homolog', 'production']);
    expect(views[1]!.serverGroups.map((g) => [g.version, g.health])).toEqual([['2.0.0', 'deploying']]);
  });
});
