import { describe, expect, it } from '@jest/globals';
import { formatAgo, formatDuration, formatNumber, shortSha } from './format.js';

describe('formats', () => {
  it('writes durations in the shortest precise form', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(4_250)).toBe('4.3 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatDuration(undefined)).toBe('–');
  });

  it('writes how long ago', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(formatAgo('2026-01-01T23:59:30Z', now)).toBe('just now');
    expect(formatAgo('2026-01-01T23:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2026-01-01T21:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2025-12-31T00:00:00Z', now)).toBe('2 days ago');
  });

  it('writes numbers for people, NaN and infinities by name', () => {
    expect(formatNumber(1234.5678)).toBe('1,235');
    expect(formatNumber(3.14159)).toBe('3.142');
    expect(formatNumber(0.0001234)).toBe('1.23e-4');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Inf');
    expect(shortSha('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3')).toBe('a94a8fe');
  });
});
