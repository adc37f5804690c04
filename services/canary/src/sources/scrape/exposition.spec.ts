import { describe, expect, it } from '@jest/globals';
import { Registry, Counter, Histogram, Gauge } from 'prom-client';
import { parseExposition } from './exposition.js';

describe('the exposition format', () => {
  it('reads what prom-client writes: labelled histograms with buckets, sums and counts', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_ms',
      help: 'h',
      labelNames: ['route'],
      buckets: [10, 100],
      registers: [registry],
    });
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'c',
      labelNames: ['code'],
      registers: [registry],
    });
    const gauge = new Gauge({ name: 'weird', help: 'g', labelNames: ['path'], registers: [registry] });
    histogram.observe({ route: '/a' }, 42);
    histogram.observe({ route: '/b' }, 7);
    counter.inc({ code: '500' }, 3);
    gauge.set({ path: 'a"b,c\\d' }, Number.NaN);
    const { samples, types } = parseExposition(await registry.metrics());
    expect(types.get('http_request_duration_ms')).toBe('histogram');
    expect(samples).toContainEqual({
      name: 'http_request_duration_ms_sum',
      labels: { route: '/a' },
      value: 42,
    });
    expect(samples).toContainEqual({
      name: 'http_request_duration_ms_count',
      labels: { route: '/b' },
      value: 1,
    });
    expect(samples).toContainEqual({
      name: 'http_request_duration_ms_bucket',
      labels: { route: '/a', le: '+Inf' },
      value: 1,
    });
    expect(samples).toContainEqual({ name: 'http_requests_total', labels: { code: '500' }, value: 3 });
    const weird = samples.find((s) => s.name === 'weird')!;
    expect(weird.labels).toEqual({ path: 'a"b,c\\d' });
    expect(weird.value).toBeNaN();
  });

  it('reads values with timestamps, infinities, and says which line is bad', () => {
    expect(parseExposition('a 1 1700000000000\nb{x="1"} +Inf\nc -Inf\n').samples.map((s) => s.value)).toEqual(
      [1, Infinity, -Infinity],
    );
    expect(() => parseExposition('ok 1\nbad{x="1} 2\n')).toThrow(/line 2: unterminated label value/);
    expect(() => parseExposition('x fast\n')).toThrow(/line 1: "fast" is not a sample value/);
  });
});
