import { describe, expect, it } from '@jest/globals';
import { WeightedBalancer } from './weighted-proxy.js';

describe('the weighted balancer', () => {
  const count = (weights: Record<string, number>, picks: number) => {
    const balancer = new WeightedBalancer();
    const backends = Object.entries(weights).map(([url, weight]) => ({ url, weight }));
    const counts: Record<string, number> = {};
    const order: string[] = [];
    for (let i = 0; i < picks; i++) {
      const url = balancer.pick(backends)!.url;
      counts[url] = (counts[url] ?? 0) + 1;
      order.push(url);
    }
    return { counts, order };
  };

  it('gives each backend its share of the weight exactly over a full cycle', () => {
    expect(count({ canary: 12.5, baseline: 12.5, a: 37.5, b: 37.5 }, 1000).counts).toEqual({
      canary: 125,
      baseline: 125,
      a: 375,
      b: 375,
    });
  });

  it('spreads a small share out rather than sending it in a burst', () => {
    const { order } = count({ canary: 1, stable: 3 }, 8);
    expect(order).toEqual(['stable', 'canary', 'stable', 'stable', 'stable', 'canary', 'stable', 'stable']);
  });

  it('skips backends of weight 0 and has nothing when none is left', () => {
    const balancer = new WeightedBalancer();
    expect(balancer.pick([{ url: 'a', weight: 0 }])).toBeUndefined();
    expect(
      balancer.pick([
        { url: 'a', weight: 0 },
        { url: 'b', weight: 1 },
      ])?.url,
    ).toBe('b');
  });
});
