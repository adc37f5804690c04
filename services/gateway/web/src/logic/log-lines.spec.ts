import { describe, expect, it } from '@jest/globals';
import { highlight, maskSecrets, mergeLines, searchLines, type LogLine } from './log-lines.js';

const line = (seq: number, text: string, attempt = 1): LogLine => ({
  attempt,
  seq,
  stream: 'stdout',
  time: '2026-01-01T00:00:00Z',
  text,
});

describe('a stage log', () => {
  it('merges stored and live lines once each, in order, splitting multi-line messages', () => {
    const stored = [line(0, 'a'), line(1, 'b')];
    const merged = mergeLines(stored, [line(1, 'b'), line(2, 'c\nd'), line(0, 'retry', 2)]);
    expect(merged.map((l) => `${l.attempt}:${l.seq}:${l.text}`)).toEqual([
      '1:0:a',
      '1:1:b',
      '1:2:c',
      '1:3:d',
      '2:0:retry',
    ]);
    expect(mergeLines(merged, [line(0, 'a')])).toBe(merged);
    expect(mergeLines([line(5, 'late')], [line(4, 'early')]).map((l) => l.seq)).toEqual([4, 5]);
  });

  it('finds lines and marks each match, whatever the case', () => {
    const lines = [line(0, 'Build OK'), line(1, 'test failed'), line(2, 'build done')];
    expect(searchLines(lines, 'BUILD').map((l) => l.seq)).toEqual([0, 2]);
    expect(searchLines(lines, '')).toBe(lines);
    expect(highlight('a Build and build', 'build')).toEqual([
      { text: 'a ', match: false },
      { text: 'Build', match: true },
      { text: ' and ', match: false },
      { text: 'build', match: true },
    ]);
  });

  it('masks what still looks like a secret', () => {
    expect(maskSecrets('API_TOKEN=supersecretvalue123 next')).toBe('API_TOKEN=**** next');
    expect(maskSecrets('git clone https://ada:hunter22@example.com/r.git')).toBe(
      'git clone https://ada:****@example.com/r.git',
    );
    expect(maskSecrets('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: Bearer ****');
    expect(maskSecrets('token ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('token ****');
    expect(maskSecrets('npm test passed: 12 tests')).toBe('npm test passed: 12 tests');
  });
});
