import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('reads the units people write, largest first', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '5', '5 minutes', '30s5m', '1.5h', '-1m', 'm', '5M'])
      expect(parseDuration(text)).toBeUndefined();
  });

  it('writes milliseconds back in the shortest form that reads the same', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90_500)).toBe('1m30s500ms');
    for (const ms of [1, 999, 60_000, 86_400_000 + 1_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
