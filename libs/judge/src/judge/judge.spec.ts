import { describe, expect, it } from '@jest/globals';
import { CanaryConfigError, parseCanaryConfig } from '../config/canary-config.js';
import { latencies, seededRandom } from '../testing/random.js';
import { judge } from './judge.js';
import { type MetricSetPair } from './result.js';
import { roundHalfUp } from './round.js';

type Canary = Record<string, unknown>;

/** A Kayenta config with one metric per entry: name -> (groups, analysisConfigurations.canary). */
function config(metrics: Record<string, { groups?: string[]; canary?: Canary }>, extra: Canary = {}) {
  return parseCanaryConfig({
    name: 'test',
    judge: { name: 'NetflixACAJudge-v1.0', judgeConfigurations: {} },
    metrics: Object.entries(metrics).map(([name, m]) => ({
      name,
      groups: m.groups ?? ['Latency'],
      query: { type: 'prometheus', metricName: name },
      analysisConfigurations: { canary: m.canary ?? {} },
    })),
    classifier: { groupWeights: { Latency: 100 } },
    ...extra,
  });
}

const pair = (
  name: string,
  control: number[],
  experiment: number[],
  tags?: Record<string, string>,
): MetricSetPair => ({
  name,
  values: { control, experiment },
  ...(tags ? { tags } : {}),
});

const thresholds = { pass: 95, marginal: 75 };
const random = seededRandom(42);
const baseline = latencies(random, 60, 100, 3);
const slower = latencies(random, 60, 140, 3);
const same = latencies(random, 60, 100, 3);

describe('the judge, decision by decision as Kayenta makes them', () => {
  it('passes identical data, with Kayenta’s reason', () => {
    const result = judge(config({ latency: {} }), thresholds, [
      pair('latency', baseline, [...baseline].reverse()),
    ]);
    expect(result.results[0]).toMatchObject({
      classification: 'Pass',
      classificationReason: 'The Canary and Baseline data are identical',
      resultMetadata: { ratio: 1.0 },
    });
    expect(result.score).toMatchObject({ score: 100, classification: 'Pass', classificationReason: '' });
  });

  it('passes a single value shared by both sides', () => {
    const result = judge(config({ latency: {} }), thresholds, [pair('latency', [5, 5, 5], [5, 5])]);
    expect(result.results[0]).toMatchObject({ classification: 'Pass', resultMetadata: { ratio: 1.0 } });
    expect(result.results[0]!.classificationReason).toBeUndefined();
  });

  it('fails a canary 40 % slower (High) and passes one from the same distribution', () => {
    const cfg = config({ latency: { canary: { direction: 'increase' } } });
    const high = judge(cfg, thresholds, [pair('latency', baseline, slower)]);
    expect(high.results[0]).toMatchObject({
      classification: 'High',
      classificationReason: 'latency was classified as High',
    });
    expect(high.results[0]!.resultMetadata!.ratio).toBeGreaterThan(1.3);
    expect(high.score).toMatchObject({ score: 0, classification: 'Fail' });
    const pass = judge(cfg, thresholds, [pair('latency', baseline, same)]);
    expect(pass.results[0]!.classification).toBe('Pass');
    expect(pass.score.classification).toBe('Pass');
  });

  it('explains a result with the numbers a person can check', () => {
    const result = judge(config({ latency: { canary: { direction: 'increase' } } }), thresholds, [
      pair('latency', baseline, slower),
    ]);
    const { explanation, analysis } = result.results[0]!;
    expect(analysis).toMatchObject({
      method: 'mann-whitney-asymptotic',
      interval: { confLevel: 0.98 },
      band: { tolerance: 0.25 },
      sampleSize: { baseline: 60, canary: 60 },
      effectSize: { measure: 'meanRatio', allowedIncrease: 1 },
    });
    expect(explanation).toMatch(/^High: Shift canary − baseline: estimate \+\d/);
    expect(explanation).toContain('98 % interval [');
    expect(explanation).toContain('band ±');
    expect(explanation).toContain('(25 % of |estimate|)');
    expect(explanation).toMatch(/the mean ratio 1\.\d+ is at least the allowed increase 1/);
    expect(explanation).toContain('Baseline 60 points');
    expect(result.score.explanation).toBe(
      'Fail: Score 0 = Latency 0 × 100 %. 0 is below the marginal threshold 75.',
    );
  });

  it('masks the side the direction does not fail on', () => {
    const result = judge(config({ latency: { canary: { direction: 'decrease' } } }), thresholds, [
      pair('latency', baseline, slower),
    ]);
    expect(result.results[0]!.classification).toBe('Pass');
    expect(result.results[0]!.explanation).toContain('fails only on a decrease');
    const low = judge(config({ latency: { canary: { direction: 'either' } } }), thresholds, [
      pair('latency', slower, baseline),
    ]);
    expect(low.results[0]!.classification).toBe('Low');
  });

  it('passes a significant change whose effect size is under the allowed increase', () => {
    const result = judge(
      config({ latency: { canary: { direction: 'increase', effectSize: { allowedIncrease: 1.5 } } } }),
      thresholds,
      [pair('latency', baseline, slower)],
    );
    expect(result.results[0]!.classification).toBe('Pass');
    expect(result.results[0]!.explanation).toContain(
      'is below the allowed increase 1.5: too small to matter',
    );
  });

  it('uses CLES as the effect size when asked (default bounds 0.5)', () => {
    const result = judge(
      config({ latency: { canary: { effectSize: { measure: 'cles', allowedIncrease: 0.9 } } } }),
      thresholds,
      [pair('latency', baseline, slower)],
    );
    expect(result.results[0]!.analysis!.effectSize).toMatchObject({ measure: 'cles', allowedDecrease: 0.5 });
    const cles = result.results[0]!.analysis!.effectSize!.value;
    expect(cles).toBeGreaterThan(0.8);
    expect(result.results[0]!.classification).toBe(cles >= 0.9 ? 'High' : 'Pass');
  });

  describe('empty sides', () => {
    it('is Nodata with nanStrategy remove (the default), counted in the 50 % rule', () => {
      const result = judge(config({ latency: {}, errors: {} }), thresholds, [
        pair('latency', baseline, same),
        pair('errors', [Number.NaN, Number.NaN], [1, 2]),
      ]);
      expect(result.results[1]).toMatchObject({
        classification: 'Nodata',
        classificationReason: 'Missing data for errors',
        critical: false,
      });
      expect(result.score).toMatchObject({
        score: 0,
        classification: 'Fail',
        classificationReason: 'Canary Failed: 50% or more metrics returned NODATA',
      });
    });

    it('is under the no-data limit with one Nodata in three', () => {
      const result = judge(config({ a: {}, b: {}, c: {} }), thresholds, [
        pair('a', baseline, same),
        pair('b', baseline, same),
        pair('c', [], []),
      ]);
      expect(result.score).toMatchObject({ score: 100, classification: 'Pass' });
    });

    it('is NodataFailMetric with mustHaveData: a failed metric in its group, not in the no-data rule', () => {
      const result = judge(config({ latency: {}, errors: { canary: { mustHaveData: true } } }), thresholds, [
        pair('latency', baseline, same),
        pair('errors', [], [1]),
      ]);
      expect(result.results[1]).toMatchObject({ classification: 'NodataFailMetric', critical: false });
      expect(result.groupScores[0]).toMatchObject({ name: 'Latency', score: 50 });
      expect(result.score).toMatchObject({ score: 50, classification: 'Fail', classificationReason: '' });
    });

    it('fails the canary for a critical metric without data, even with mustHaveData', () => {
      const result = judge(
        config({ latency: {}, errors: { canary: { critical: true, mustHaveData: true } } }),
        thresholds,
        [pair('latency', baseline, same), pair('errors', [], [])],
      );
      expect(result.results[1]).toMatchObject({ classification: 'Nodata', critical: true });
      expect(result.score).toMatchObject({
        score: 0,
        classification: 'Fail',
        classificationReason: 'Canary Failed: Missing data for errors',
      });
    });

    it('passes with nanStrategy replace (empty arrays only)', () => {
      const result = judge(config({ latency: { canary: { nanStrategy: 'replace' } } }), thresholds, [
        pair('latency', [], []),
      ]);
      expect(result.results[0]).toMatchObject({ classification: 'Pass', resultMetadata: { ratio: 1 } });
    });
  });

  describe('NaN and infinities', () => {
    it('drops NaN with remove, turns it into 0 with replace, leaves ±Inf alone', () => {
      const remove = judge(config({ m: {} }), thresholds, [
        pair('m', [1, Number.NaN, 2], [1, 2, Number.NaN]),
      ]);
      expect(remove.results[0]).toMatchObject({
        classification: 'Pass',
        classificationReason: 'The Canary and Baseline data are identical',
      });
      expect(remove.results[0]!.controlMetadata.stats.count).toBe(2);
      const replace = judge(config({ m: { canary: { nanStrategy: 'replace' } } }), thresholds, [
        pair('m', [1, Number.NaN, 2], [1, 2, 0]),
      ]);
      expect(replace.results[0]!.classificationReason).toBe('The Canary and Baseline data are identical');
      const inf = judge(config({ m: {} }), thresholds, [
        pair('m', [1, 2, Number.POSITIVE_INFINITY], [1, 2, Number.POSITIVE_INFINITY]),
      ]);
      expect(inf.results[0]!.controlMetadata.stats).toMatchObject({
        count: 3,
        max: Number.POSITIVE_INFINITY,
      });
    });
  });

  describe('outliers', () => {
    it('removes points beyond the IQR fences widened to the 1st and 99th percentiles', () => {
      const values = Array.from({ length: 99 }, (_, i) => 100 + (i % 10));
      const cfg = config({ m: { canary: { outliers: { strategy: 'remove', outlierFactor: 3 } } } });
      const result = judge(cfg, thresholds, [pair('m', [...values, 10_000], [...values, 5_000])]);
      expect(result.results[0]!.controlMetadata.stats.count).toBe(99);
      expect(result.results[0]!.experimentMetadata.stats.count).toBe(99);
      // With 100 points the 99th percentile is itself inside the data: a spike that high is kept.
      const kept = judge(config({ m: {} }), thresholds, [pair('m', [...values, 10_000], values)]);
      expect(kept.results[0]!.controlMetadata.stats.count).toBe(100);
    });
  });

  describe('critical metrics', () => {
    it('fail the canary when High at or beyond criticalIncrease', () => {
      const cfg = config({
        latency: { canary: { critical: true, direction: 'increase', effectSize: { criticalIncrease: 1.2 } } },
        other: {},
      });
      const result = judge(cfg, thresholds, [
        pair('latency', baseline, slower),
        pair('other', baseline, same),
      ]);
      expect(result.results[0]).toMatchObject({
        classification: 'High',
        critical: true,
        classificationReason: 'The metric latency was classified as High (Critical)',
      });
      expect(result.score).toMatchObject({
        score: 0,
        classification: 'Fail',
        classificationReason: 'Canary Failed: The metric latency was classified as High (Critical)',
      });
    });

    it('count as an ordinary High below criticalIncrease', () => {
      const cfg = config({
        latency: { canary: { critical: true, direction: 'increase', effectSize: { criticalIncrease: 5 } } },
        other: {},
      });
      const result = judge(cfg, thresholds, [
        pair('latency', baseline, slower),
        pair('other', baseline, same),
      ]);
      expect(result.results[0]).toMatchObject({ classification: 'High', critical: false });
      expect(result.score.score).toBe(50);
    });

    it('are critical whenever the effect size is undefined (a mean of 0)', () => {
      const zeros = Array.from({ length: 30 }, () => 0);
      const ones = Array.from({ length: 30 }, (_, i) => (i < 25 ? 5 + (i % 3) : 0));
      const cfg = config({ errors: { canary: { critical: true, effectSize: { criticalIncrease: 100 } } } });
      const result = judge(cfg, thresholds, [pair('errors', zeros, ones)]);
      expect(result.results[0]!.resultMetadata!.ratio).toBeNaN();
      expect(result.results[0]).toMatchObject({ classification: 'High', critical: true });
    });
  });

  describe('scores', () => {
    const cfg = (weights: Record<string, number>) =>
      config(
        {
          a: { groups: ['Latency'] },
          b: { groups: ['Latency'] },
          c: { groups: ['Errors'] },
          d: { groups: ['Saturation'] },
        },
        { classifier: { groupWeights: weights } },
      );
    const data = [
      pair('a', baseline, same),
      pair('b', baseline, slower),
      pair('c', baseline, same),
      pair('d', baseline, same),
    ];

    it('weights group scores without renormalising; groups without a weight share what is left', () => {
      const result = judge(cfg({ Latency: 50, Errors: 30 }), thresholds, data);
      expect(result.groupScores.map((g) => [g.name, g.score, g.weight])).toEqual([
        ['Latency', 50, 50],
        ['Errors', 100, 30],
        ['Saturation', 100, 20],
      ]);
      expect(result.score.score).toBe(75);
      expect(result.score.classification).toBe('Marginal');
    });

    it('lets a configured group with no metric lose its share, and weights above 100 scale the score', () => {
      expect(
        judge(cfg({ Latency: 40, Errors: 20, Saturation: 20, Ghost: 20 }), thresholds, data).score.score,
      ).toBe(60);
      expect(judge(cfg({ Latency: 100, Errors: 100, Saturation: 100 }), thresholds, data).score.score).toBe(
        250,
      );
    });

    it('counts a metric in every group it belongs to, and a metric in no group nowhere', () => {
      const result = judge(
        config(
          { a: { groups: ['Latency', 'Errors'] }, b: { groups: [] } },
          { classifier: { groupWeights: { Latency: 50, Errors: 50 } } },
        ),
        thresholds,
        [pair('a', baseline, slower), pair('b', baseline, slower)],
      );
      expect(result.groupScores.map((g) => g.score)).toEqual([0, 0]);
      expect(result.score.score).toBe(0);
    });

    it('leaves muted metrics in the results but out of the score', () => {
      const result = judge(config({ a: {}, b: { canary: { muted: true } } }), thresholds, [
        pair('a', baseline, same),
        pair('b', baseline, slower),
      ]);
      expect(result.results[1]).toMatchObject({ muted: true, classification: 'High' });
      expect(result.score.score).toBe(100);
    });

    it('rounds half-up on the printed decimal, as BigDecimal does', () => {
      expect(roundHalfUp(1.005, 2)).toBe(1.01);
      expect(roundHalfUp(2.675, 2)).toBe(2.68);
      expect(roundHalfUp(66.66666666666667, 2)).toBe(66.67);
      expect(roundHalfUp(33.333333333333336, 2)).toBe(33.33);
      expect(roundHalfUp(-1.005, 2)).toBe(-1.01);
      expect(roundHalfUp(1e-9, 2)).toBe(0);
      const third = judge(
        config({ a: {}, b: {}, c: {} }, { classifier: { groupWeights: { Latency: 100 } } }),
        thresholds,
        [pair('a', baseline, same), pair('b', baseline, same), pair('c', baseline, slower)],
      );
      expect(third.score.score).toBe(66.67);
    });

    it('classifies the score against the request’s thresholds, not the config’s', () => {
      const withConfigThresholds = config(
        { a: {}, b: {} },
        { classifier: { groupWeights: { Latency: 100 }, scoreThresholds: { pass: 10, marginal: 5 } } },
      );
      const data2 = [pair('a', baseline, same), pair('b', baseline, slower)];
      expect(judge(withConfigThresholds, { pass: 90, marginal: 50 }, data2).score.classification).toBe(
        'Marginal',
      );
      expect(judge(withConfigThresholds, { pass: 90, marginal: 51 }, data2).score.classification).toBe(
        'Fail',
      );
      expect(judge(withConfigThresholds, { pass: 50, marginal: 10 }, data2).score.classification).toBe(
        'Pass',
      );
    });
  });

  describe('where Kayenta is random or fails', () => {
    it('judges two different constant sides the same way every time (Kayenta adds random noise)', () => {
      const run = () =>
        judge(config({ m: { canary: { direction: 'increase' } } }), thresholds, [
          pair(
            'm',
            Array.from({ length: 20 }, () => 100),
            Array.from({ length: 20 }, () => 140),
          ),
        ]);
      const first = run();
      expect(first.results[0]!.classification).toBe('High');
      expect(first.results[0]!.explanation).toContain('deterministic spread');
      expect(run()).toEqual(first);
    });

    it('gives Error ("Metric Classification Failed") when every observation ties', () => {
      const result = judge(config({ m: {}, n: {} }), thresholds, [
        pair('m', [2], [1]),
        pair('n', baseline, same),
      ]);
      expect(result.results[0]).toMatchObject({
        classification: 'Error',
        classificationReason: 'Metric Classification Failed',
        critical: false,
      });
      expect(result.results[0]!.resultMetadata).toBeUndefined();
      expect(result.score.score).toBe(100);
    });

    it('refuses a flag written as a string (Kayenta fails the whole judgment)', () => {
      expect(() => config({ m: { canary: { critical: 'true' } } })).toThrow(CanaryConfigError);
      expect(() => config({ m: { canary: { critical: 'true' } } })).toThrow(
        /metrics\.0\.analysisConfigurations\.canary\.critical: must be true or false, not "true"/,
      );
    });

    it('reads unknown directions as either, unknown strategies as the defaults', () => {
      const result = judge(
        config({
          m: { canary: { direction: 'sideways', nanStrategy: 'zero', outliers: { strategy: 'drop' } } },
        }),
        thresholds,
        [pair('m', slower, baseline)],
      );
      expect(result.results[0]!.classification).toBe('Low');
    });
  });

  it('returns Kayenta’s result shape', () => {
    const result = judge(config({ latency: {} }), thresholds, [
      pair('latency', baseline, same, { route: '/a' }),
    ]);
    expect(result).toMatchObject({
      judgeName: 'NetflixACAJudge-v1.0',
      results: [
        {
          name: 'latency',
          id: 'latency{route=/a}',
          tags: { route: '/a' },
          groups: ['Latency'],
          muted: false,
          classification: 'Pass',
          critical: false,
          resultMetadata: { ratio: expect.any(Number) },
          experimentMetadata: { stats: { count: 60 } },
          controlMetadata: { stats: { count: 60 } },
        },
      ],
      groupScores: [{ name: 'Latency', score: 100, classification: '', classificationReason: '' }],
      score: { score: 100, classification: 'Pass', classificationReason: '' },
    });
    const stats = result.results[0]!.controlMetadata.stats;
    expect(Object.keys(stats).sort()).toEqual(['count', 'max', 'mean', 'min', 'std']);
  });
});
