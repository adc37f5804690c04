import { describe, expect, it } from '@jest/globals';
import { parseCanaryConfig } from '../config/canary-config.js';
import { JudgeDataError, pairsFromData } from './judge-data.js';

const config = parseCanaryConfig({
  metrics: [
    { name: 'latency', query: { metricName: 'l' } },
    {
      name: 'errors',
      query: { type: 'ratio', numerator: { metricName: 'e' }, denominator: { metricName: 'r' } },
    },
    { name: 'cpu', query: { metricName: 'c' } },
  ],
});

describe('the judge data file', () => {
  it('reads values as Prometheus writes them, in the config’s metric order, with label sets', () => {
    const pairs = pairsFromData(config, {
      cpu: [
        { tags: { pod: 'a' }, baseline: [1], canary: ['2.5'] },
        { tags: { pod: 'b' }, baseline: [3], canary: [4] },
      ],
      latency: { baseline: [1, null, 'NaN', '+Inf', '-Inf', 'Inf'], canary: [2] },
      errors: {
        baseline: { numerator: [0, 1], denominator: [10, 10] },
        canary: { numerator: [2, 2], denominator: [10, 10] },
      },
    });
    expect(pairs.map((p) => [p.name, p.tags])).toEqual([
      ['latency', {}],
      ['errors', {}],
      ['cpu', { pod: 'a' }],
      ['cpu', { pod: 'b' }],
    ]);
    expect(pairs[0]!.values.control).toEqual([1, NaN, NaN, Infinity, -Infinity, Infinity]);
    expect(pairs[1]).toMatchObject({ values: { control: [0, 1] }, denominators: { experiment: [10, 10] } });
    expect(pairs[2]!.values.experiment).toEqual([2.5]);
  });

  it('gives a metric without data empty sides (Nodata)', () => {
    expect(pairsFromData(config, {}).map((p) => p.values)).toEqual([
      { control: [], experiment: [] },
      { control: [], experiment: [] },
      { control: [], experiment: [] },
    ]);
  });

  it('names every problem', () => {
    expect(() => pairsFromData(config, { latency: { baseline: ['fast'], canary: [] } })).toThrow(
      'latency.baseline.0: "fast" is not a number, null, "NaN", "+Inf" or "-Inf"',
    );
    expect(() => pairsFromData(config, { memory: { baseline: [], canary: [] } })).toThrow(
      'memory: no such metric in the canary config (it has latency, errors, cpu)',
    );
    expect(() => pairsFromData(config, { errors: { baseline: [1], canary: [1] } })).toThrow(JudgeDataError);
    expect(() => pairsFromData(config, { errors: { baseline: [1], canary: [1] } })).toThrow(
      /errors is a ratio metric/,
    );
  });
});
