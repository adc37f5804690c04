import { describe, expect, it } from '@jest/globals';
import { planIntervals } from './interval-plan.js';
import { finalVerdict, stopsEarly } from './verdict.js';

const min = 60_000;
const t0 = Date.parse('2026-11-08T10:00:00Z');
const base = {
  now: t0,
  lifetimeMs: 30 * min,
  intervalMs: 10 * min,
  delayMs: 0,
  lookbackMs: 0,
  baselineOffsetMs: 0,
};
const windows = (input: Parameters<typeof planIntervals>[0]) =>
  planIntervals(input).map((i) => [
    (i.canary.start - t0) / min,
    (i.canary.end - t0) / min,
    (i.dueAt - t0) / min,
  ]);

describe('interval planning, as Orca plans the canary stage', () => {
  it('real time: growing windows from the end of the warm-up, each judged when it ends', () => {
    expect(windows({ ...base, delayMs: 5 * min })).toEqual([
      [5, 15, 15],
      [5, 25, 25],
      [5, 35, 35],
    ]);
  });

  it('a lookback makes the window slide', () => {
    expect(windows({ ...base, lookbackMs: 5 * min })).toEqual([
      [5, 10, 10],
      [15, 20, 20],
      [25, 30, 30],
    ]);
  });

  it('the baseline window is shifted back by the offset', () => {
    const [first] = planIntervals({ ...base, baselineOffsetMs: 60 * min });
    expect([(first!.baseline.start - t0) / min, (first!.baseline.end - t0) / min]).toEqual([-60, -50]);
  });

  it('drops the remainder, and treats an interval of 0 or past the lifetime as the lifetime', () => {
    expect(windows({ ...base, lifetimeMs: 25 * min })).toHaveLength(2);
    expect(windows({ ...base, intervalMs: 0 })).toEqual([[0, 30, 30]]);
    expect(windows({ ...base, intervalMs: 45 * min })).toEqual([[0, 30, 30]]);
  });

  it('retrospective: the window from startTime to endTime, warm-up not added, all due already', () => {
    const startTime = t0 - 60 * min;
    const plan = planIntervals({
      ...base,
      delayMs: 5 * min,
      startTime,
      endTime: t0 - 20 * min,
      intervalMs: 15 * min,
    });
    expect(plan.map((i) => [(i.canary.start - t0) / min, (i.canary.end - t0) / min])).toEqual([
      [-60, -45],
      [-60, -30],
    ]);
    expect(() => planIntervals({ ...base, startTime: t0, endTime: t0 })).toThrow(/window is empty/);
  });
});

describe('verdicts, as Orca gives them', () => {
  const thresholds = { pass: 90, marginal: 70 };
  it('stops early at or below marginal', () => {
    expect(stopsEarly(70, thresholds)).toBe(true);
    expect(stopsEarly(70.01, thresholds)).toBe(false);
  });
  it('takes the last interval: fail at or below marginal, marginal below pass, else pass', () => {
    expect(finalVerdict(70, thresholds)).toBe('fail');
    expect(finalVerdict(89.99, thresholds)).toBe('marginal');
    expect(finalVerdict(90, thresholds)).toBe('pass');
  });
});
