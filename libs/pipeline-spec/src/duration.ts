/**
 * Durations as people write them in a pipeline file: `30s`, `5m`, `1h30m`, `2d`, `500ms`. Units go
 * from the largest to the smallest, each at most once, so `90s` and `1m30s` are both fine but `30s5m`
 * is a typo and is refused.
 */

const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

export const DURATION_PATTERN = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export const DURATION_HINT = 'write a number followed by units, largest first: 30s, 5m, 1h30m, 2d, 500ms';

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, d, h, m, s, ms] = match;
  const parts: [string | undefined, number][] = [
    [d, UNITS.d],
    [h, UNITS.h],
    [m, UNITS.m],
    [s, UNITS.s],
    [ms, UNITS.ms],
  ];
  return parts.reduce((total, [value, unit]) => total + (value === undefined ? 0 : Number(value) * unit), 0);
}

/** The shortest text that parseDuration reads back as the same number (`5400000` -> `1h30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNITS)) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
