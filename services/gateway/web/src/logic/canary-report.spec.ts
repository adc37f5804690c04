import { describe, expect, it } from '@jest/globals';
import {
  alignSeries,
  histogram,
  intervalTimeline,
  metricTitle,
  scoreBand,
  toNumber,
  toPoints,
} from './canary-report.js';

describe('the canary report', () => {
  it('places a score against the thresholds in words (at the marginal threshold fails, as Kayenta)', () => {
    const thresholds = { pass: 90, marginal: 70 };
    expect(scoreBand(95, thresholds).band).toBe('pass');
    expect(scoreBand(90, thresholds).band).toBe('pass');
    expect(scoreBand(80, thresholds)).toEqual({
      band: 'marginal',
      text: '80 is below the pass threshold 90 but above the marginal threshold 70',
    });
    expect(scoreBand(70, thresholds)).toEqual({
      band: 'fail',
      text: '70 is at or below the marginal threshold 70',
    });
    expect(scoreBand(undefined, thresholds).band).toBe('unknown');
  });

  it('reads NaN and infinities as Prometheus writes them', () => {
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('+Inf')).toBe(Infinity);
    expect(toNumber('-Inf')).toBe(-Infinity);
    expect(toNumber(3)).toBe(3);
    expect(toPoints([[1, 2], [3], [4, 'NaN']])).toEqual([
      [1, 2],
      [4, 'NaN'],
    ]);
  });

  it('aligns both sides on seconds since their own window started, with gaps where a side has no point', () => {
    const [xs, baseline, canary] = alignSeries(
      [
        [100, 1],
        [110, 'NaN'],
      ],
      [
        [500, 3],
        [505, 4],
      ],
      100,
      500,
    );
    expect(xs).toEqual([0, 5, 10]);
    expect(baseline).toEqual([1, null, null]);
    expect(canary).toEqual([3, 4, null]);
  });

  it('counts both sides in the same bins, the maximum in the last one', () => {
    const h = histogram(
      [
        [0, 0],
        [1, 5],
        [2, '+Inf'],
      ],
      [[0, 10]],
      2,
    );
    expect(h.edges).toEqual([0, 5]);
    expect(h.width).toBe(5);
    expect(h.baseline).toEqual([1, 1]);
    expect(h.canary).toEqual([0, 1]);
    expect(histogram([], [])).toEqual({ edges: [], width: 0, baseline: [], canary: [] });
  });

  it('lists judged intervals and the ones still to come', () => {
    const timeline = intervalTimeline(
      [{ index: 1, canary: { start: 'a', end: 'b' }, score: 100, classification: 'Pass' }],
      3,
    );
    expect(timeline.map((t) => [t.index, t.classification, t.judged])).toEqual([
      [1, 'Pass', true],
      [2, 'pending', false],
      [3, 'pending', false],
    ]);
  });

  it('names a metric with its labels', () => {
    expect(metricTitle('latency', { route: '/api' })).toBe('latency{route="/api"}');
    expect(metricTitle('latency', {})).toBe('latency');
  });
});
