import { describe, expect, it } from '@jest/globals';
import { type ResolvedQuery } from '@aviary/judge';
import { type Side } from '../series.js';
import { type Sample } from './exposition.js';
import { ScrapeSource } from './scrape-source.js';

/** Scrapes of one side as the scraper keeps them: one every `stepSeconds`, a counter per scrape. */
function scrapes(startSeconds: number, stepSeconds: number, counters: number[]) {
  return counters.map((value, i) => ({
    at: (startSeconds + i * stepSeconds) * 1000,
    samples: [{ name: 'requests_total', labels: { pod: 'app-canary-1' }, value }] satisfies Sample[],
  }));
}

function source(kept: ReturnType<typeof scrapes>): ScrapeSource {
  return new ScrapeSource(
    {
      between: (_analysis: string, _side: Side, from: number, to: number) =>
        Promise.resolve(kept.filter((scrape) => scrape.at >= from && scrape.at <= to)),
    },
    'analysis-1',
  );
}

const counterQuery = (
  aggregation: 'sum-increase' | 'avg-rate',
  window: string,
): Extract<ResolvedQuery, { kind: 'selector' }> => ({
  kind: 'selector',
  metricName: 'requests_total',
  filters: ['pod=~"app-canary.*"'],
  groupBy: [],
  aggregation,
  window,
});

describe('the scrape source', () => {
  it("counts a ratio metric's increase per step when it scrapes once a step: the steps add up to the whole", async () => {
    // Scraped every 2 s from t=100 (scrapes a little after each step boundary, as timers fire).
    const kept = scrapes(100.3, 2, [0, 10, 25, 25, 40, 70]);
    const series = await source(kept).query({
      side: 'canary',
      query: counterQuery('sum-increase', '2s'),
      scope: { step: 2 },
      start: 102_000,
      end: 110_000,
      stepSeconds: 2,
    });
    expect(series).toHaveLength(1);
    const points = series[0]!.points;
    expect(points.map(([, v]) => v)).toEqual([10, 15, 0, 15]);
    // From 0 at the first scrape to 40 at the last one the query reaches (t=108.3), nothing lost.
    expect(points.reduce((sum, [, v]) => sum + v, 0)).toBe(40);
  });

  it('keeps a rate to the points inside its own window', async () => {
    const kept = scrapes(100.5, 1, [0, 10, 20, 30, 40, 50, 60, 70]);
    const series = await source(kept).query({
      side: 'canary',
      query: counterQuery('avg-rate', '3s'),
      scope: { step: 1 },
      start: 105_000,
      end: 105_000,
      stepSeconds: 1,
    });
    expect(series[0]!.points).toEqual([[105, 10]]);
  });
});
