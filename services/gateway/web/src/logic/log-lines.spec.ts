import { describe, expect, it } from '@jest/globals';
import { highlight, maskSecrets, mergeLines, searchLines, withLive, type LogLine } from './log-lines.js';

const line = (seq: number, text: string, attempt = 1): LogLine => ({
  attempt,
  seq,
  stream: 'stdout',
  time: '2026-01-01T00:00:00Z',
  text,
});

describe('a stage log', () => {
  it('adds stored pages once each, in order; a multi-line write stays one line', () => {
    const first = [line(0, '$ echo a\necho b'), line(1, 'a')];
    const merged = mergeLines(first, [line(1, 'a'), line(2, 'b')]);
    expect(merged.map((l) => `${l.seq}:${l.text}`)).toEqual(['0:$ echo a\necho b', '1:a', '2:b']);
    expect(mergeLines(merged, [line(0, 'x')])).toBe(merged);
    expect(mergeLines([line(5, 'late')], [line(4, 'early')]).map((l) => l.seq)).toEqual([4, 5]);
  });

  it('extends the stored lines with the live ones written after them, joined messages included', () => {
    const stored = [line(0, 'a'), line(1, 'b'), line(2, 'c')];
    // live: 1..2 joined in one message (already stored), then 3..4 joined, then a retry's first line
    const live = [line(1, 'b\nc'), line(3, 'd\ne'), line(0, 'again', 2)];
    expect(withLive(stored, live).map((l) => `${l.attempt}:${l.seq}:${l.text}`)).toEqual([
      '1:0:a',
      '1:1:b',
      '1:2:c',
      '1:3:d\ne',
      '2:0:again',
    ]);
    expect(withLive(stored, [line(2, 'c')])).toBe(stored);
    expect(withLive([], [line(0, 'first')]).map((l) => l.text)).toEqual(['first']);
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
