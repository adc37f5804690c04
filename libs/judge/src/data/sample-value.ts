import { z } from 'zod';

/**
 * A sample as Prometheus writes it: a number, a numeric string, "NaN", "+Inf", "-Inf" (or "Inf"),
 * and null for a missing value (read as NaN, as Kayenta pads missing points).
 */
export const SampleValue = z.union([z.number(), z.null(), z.string()]).transform((value, ctx) => {
  if (value === null) return Number.NaN;
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const parsed = Number(text);
  if (text === '' || Number.isNaN(parsed)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a number, null, "NaN", "+Inf" or "-Inf"` });
    return z.NEVER;
  }
  return parsed;
});

/** Parses a Prometheus sample string (the query API's value strings). */
export function parseSampleValue(text: string): number {
  const parsed = SampleValue.safeParse(text);
  return parsed.success ? parsed.data : Number.NaN;
}
