import { describe, expect, it } from '@jest/globals';
import { parseCanaryConfig } from '../config/canary-config.js';
import { normals, seededRandom } from '../testing/random.js';
import { judge } from './judge.js';
import { type MetricSetPair } from './result.js';

const thresholds = { pass: 95, marginal: 75 };

function config(
  judgeName: string,
  canary: Record<string, unknown>,
  query: Record<string, unknown> = {},
  judgeConfigurations = {},
) {
  return parseCanaryConfig({
    judge: { name: judgeName, judgeConfigurations },
    metrics: [
      {
        name: 'm',
        groups: ['g'],
        query: { type: 'prometheus', metricName: 'm', ...query },
        analysisConfigurations: { canary: { direction: 'increase', ...canary } },
      },
    ],
    classifier: { groupWeights: { g: 100 } },
  });
}
const KAYENTA = 'NetflixACAJudge-v1.0';
const AVIARY = 'AviaryJudge-v1';
const pair = (control: number[], experiment: number[]): MetricSetPair => ({
  name: 'm',
  values: { control, experiment },
});

describe('Aviary extensions', () => {
  describe('a root finder accurate relative to the data (error rates around 1e-5)', () => {
    const random = seededRandom(7);
    const baseline = normals(random, 60, 2e-5, 4e-6);
    const canary = normals(random, 60, 3e-5, 4e-6);

    it('Kayenta’s absolute 1e-4 tolerance gives an interval wider than the data, the same at any confidence', () => {
      const at98 = judge(config(KAYENTA, {}), thresholds, [pair(baseline, canary)]).results[0]!;
      const at50 = judge(config(KAYENTA, { confLevel: 0.5, rootFinder: 'kayenta' }), thresholds, [
        pair(baseline, canary),
      ]).results[0]!;
      expect(at98.classification).toBe('Pass');
      expect(at98.analysis!.interval!.lower).toBeLessThan(0);
      expect(at98.analysis!.estimate).toBe(at98.analysis!.interval!.upper);
      expect(at50.analysis!.interval).toMatchObject({
        lower: at98.analysis!.interval!.lower,
        upper: at98.analysis!.interval!.upper,
      });
    });

    it('the relative root finder finds the 50 % increase (High)', () => {
      for (const cfg of [config(AVIARY, {}), config(KAYENTA, { rootFinder: 'relative' })]) {
        const result = judge(cfg, thresholds, [pair(baseline, canary)]).results[0]!;
        expect(result.classification).toBe('High');
        expect(result.analysis!.interval!.lower).toBeGreaterThan(5e-6);
        expect(result.analysis!.interval!.upper).toBeLessThan(1.5e-5);
        expect(result.analysis!.rootTolerance).toBeLessThan(1e-12);
      }
    });
  });

  describe('the exact Mann-Whitney distribution for small samples without ties', () => {
    // Every canary point is above every baseline point: exact p = 2/252 ≈ 0.008.
    const baseline = [8.735, 10.426, 11.067, 8.515, 10.362];
    const canary = [11.669, 11.873, 12.106, 14.372, 11.82];

    it('Kayenta’s normal approximation passes five canary points all above the baseline’s', () => {
      const result = judge(config(KAYENTA, { rootFinder: 'relative' }), thresholds, [pair(baseline, canary)])
        .results[0]!;
      expect(result.analysis!.method).toBe('mann-whitney-asymptotic');
      expect(result.classification).toBe('Pass');
    });

    it('the exact interval classifies them High', () => {
      for (const cfg of [config(AVIARY, {}), config(KAYENTA, { exactTest: true })]) {
        const result = judge(cfg, thresholds, [pair(baseline, canary)]).results[0]!;
        expect(result.analysis!.method).toBe('mann-whitney-exact');
        // qwilcox(0.01, 5, 5) = 2: the interval starts at the second smallest pairwise difference.
        expect(result.analysis!.interval!.lower).toBeCloseTo(11.82 - 11.067, 12);
        expect(result.classification).toBe('High');
        expect(result.explanation).toContain('Mann-Whitney, exact distribution');
      }
    });

    it('falls back to the normal approximation with ties or more than 50 points', () => {
      const tied = judge(config(AVIARY, {}), thresholds, [pair([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])])
        .results[0]!;
      expect(tied.analysis!.method).toBe('mann-whitney-asymptotic');
      const random = seededRandom(3);
      const big = judge(config(AVIARY, {}), thresholds, [
        pair(normals(random, 51, 10, 1), normals(random, 51, 10, 1)),
      ]).results[0]!;
      expect(big.analysis!.method).toBe('mann-whitney-asymptotic');
    });
  });

  describe('per-metric tolerance and confidence level', () => {
    const random = seededRandom(5);
    const baseline = normals(random, 200, 100, 10);
    const canary = normals(random, 200, 104, 10);

    it('a 4 % shift does not clear Kayenta’s band of 25 % of the estimate at 98 %... but does at tolerance 0 and 90 %', () => {
      const kayenta = judge(config(KAYENTA, {}), thresholds, [pair(baseline, canary)]).results[0]!;
      expect(kayenta.classification).toBe('Pass');
      const tuned = judge(config(KAYENTA, { tolerance: 0, confLevel: 0.9 }), thresholds, [
        pair(baseline, canary),
      ]).results[0]!;
      expect(tuned.analysis).toMatchObject({
        band: { tolerance: 0, upper: 0 },
        interval: { confLevel: 0.9 },
      });
      expect(tuned.classification).toBe('High');
      expect(tuned.explanation).toContain('90 % interval');
    });

    it('judge-wide values apply under AviaryJudge-v1, a metric’s own win', () => {
      const wide = judge(config(AVIARY, {}, {}, { tolerance: 0, confLevel: 0.9 }), thresholds, [
        pair(baseline, canary),
      ]).results[0]!;
      expect(wide.analysis!.band!.tolerance).toBe(0);
      const own = judge(config(AVIARY, { tolerance: 0.5 }, {}, { tolerance: 0 }), thresholds, [
        pair(baseline, canary),
      ]).results[0]!;
      expect(own.analysis!.band!.tolerance).toBe(0.5);
      // NetflixACAJudge ignores judgeConfigurations, as Kayenta does.
      const ignored = judge(config(KAYENTA, {}, {}, { tolerance: 0 }), thresholds, [pair(baseline, canary)])
        .results[0]!;
      expect(ignored.analysis!.band!.tolerance).toBe(0.25);
    });
  });

  describe('a proportion test for error-rate metrics (type: ratio)', () => {
    // 10 requests per step: the baseline fails 0.1 % of them, the canary 2 %. Most steps have no error.
    const steps = 60;
    const random = seededRandom(9);
    const errors = (rate: number) =>
      Array.from({ length: steps }, () =>
        Array.from({ length: 10 }, () => (random() < rate ? 1 : 0)).reduce((a: number, b) => a + b, 0),
      );
    const baselineErrors = errors(0.001);
    const canaryErrors = errors(0.02);
    const requests = Array.from({ length: steps }, () => 10);

    it('the rank test on per-step error rates passes a canary with twenty times the errors', () => {
      const rates = (e: number[]) => e.map((v, i) => v / requests[i]!);
      const result = judge(config(KAYENTA, {}), thresholds, [
        pair(rates(baselineErrors), rates(canaryErrors)),
      ]).results[0]!;
      expect(canaryErrors.filter((e) => e === 0).length).toBeGreaterThan(steps / 2);
      expect(result.analysis!.estimate).toBeCloseTo(0, 6);
      expect(result.classification).toBe('Pass');
    });

    it('the proportion test on the counts classifies it High, and explains with rates and counts', () => {
      const cfg = config(
        KAYENTA,
        {},
        {
          type: 'ratio',
          numerator: { metricName: 'http_errors_total' },
          denominator: { metricName: 'http_requests_total' },
        },
      );
      const result = judge(cfg, thresholds, [
        {
          name: 'm',
          values: { control: baselineErrors, experiment: canaryErrors },
          denominators: { control: requests, experiment: requests },
        },
      ]).results[0]!;
      expect(result.analysis).toMatchObject({
        method: 'proportion',
        sampleSize: { baseline: 600, canary: 600 },
      });
      expect(result.classification).toBe('High');
      expect(result.explanation).toMatch(/^High: Rate canary − baseline \(\d/);
      expect(result.explanation).toContain('Newcombe score interval');
      expect(result.explanation).toMatch(/Counts: baseline \d+ of 600, canary \d+ of 600/);
    });

    it('a ratio metric without requests is Nodata', () => {
      const cfg = config(
        KAYENTA,
        {},
        { type: 'ratio', numerator: { metricName: 'e' }, denominator: { metricName: 'r' } },
      );
      const result = judge(cfg, thresholds, [
        {
          name: 'm',
          values: { control: [0, 0], experiment: [0, 0] },
          denominators: { control: [0, 0], experiment: [5, 5] },
        },
      ]).results[0]!;
      expect(result).toMatchObject({ classification: 'Nodata', classificationReason: 'Missing data for m' });
    });
  });

  describe('a minimum sample size', () => {
    it('makes a metric with too few points Nodata, with that reason', () => {
      const data = pair([100, 101, 102], [150, 160, 170]);
      expect(judge(config(KAYENTA, {}), thresholds, [data]).results[0]!.classification).not.toBe('Nodata');
      const result = judge(config(KAYENTA, { minSampleSize: 10 }), thresholds, [data]).results[0]!;
      expect(result).toMatchObject({
        classification: 'Nodata',
        classificationReason: 'Too few data points for m: baseline 3 points, canary 3, minimum 10',
      });
      expect(result.explanation).toContain('too few points to judge');
      const judgeWide = judge(config(AVIARY, {}, {}, { minSampleSize: 10 }), thresholds, [data]).results[0]!;
      expect(judgeWide.classification).toBe('Nodata');
    });
  });

  it('refuses an unknown judge name', () => {
    expect(() => config('SomeOtherJudge', {})).toThrow(/unknown judge "SomeOtherJudge"/);
  });
});
