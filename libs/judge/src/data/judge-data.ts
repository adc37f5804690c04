import { z } from 'zod';
import { type CanaryConfig, isRatioQuery } from '../config/canary-config.js';
import { type MetricSetPair } from '../judge/result.js';
import { SampleValue } from './sample-value.js';

const Series = z.array(SampleValue);
const Counts = z.strictObject({ numerator: Series, denominator: Series });
// Chosen by shape rather than z.union, so that an error names the value at fault.
const Side = z.unknown().pipe(
  z.custom<unknown>().transform((value, ctx) => {
    const parsed = (Array.isArray(value) ? Series : Counts).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path });
    return z.NEVER;
  }),
) as unknown as z.ZodType<number[] | z.infer<typeof Counts>>;
const Pair = z.strictObject({ baseline: Side, canary: Side });
const TaggedPair = Pair.extend({ tags: z.record(z.string(), z.string()).default({}) });
const Entry = z.unknown().pipe(
  z.custom<unknown>().transform((value, ctx) => {
    const parsed = (Array.isArray(value) ? z.array(TaggedPair) : Pair).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path });
    return z.NEVER;
  }),
) as unknown as z.ZodType<z.infer<typeof Pair> | Array<z.infer<typeof TaggedPair>>>;

/**
 * The judge's data file: each metric name maps to `{ baseline, canary }`, or to a list of
 * `{ tags, baseline, canary }` (one per label set). A side is a list of values, or for a ratio
 * metric `{ numerator: [...], denominator: [...] }`.
 */
export const JudgeData = z.record(z.string(), Entry);
export type JudgeData = z.infer<typeof JudgeData>;

export class JudgeDataError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid data: ${problems.join('; ')}`);
    this.name = 'JudgeDataError';
  }
}

type SideValue = z.infer<typeof Side>;
const isCounts = (side: SideValue): side is z.infer<typeof Counts> => !Array.isArray(side);

/**
 * Turns a data file into the judge's pairs, in the config's metric order. A metric without data
 * gets empty sides (Nodata, as when Prometheus returns nothing).
 */
export function pairsFromData(config: CanaryConfig, json: unknown): MetricSetPair[] {
  const parsed = JudgeData.safeParse(json);
  if (!parsed.success)
    throw new JudgeDataError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`),
    );
  const data = parsed.data;
  const known = new Set(config.metrics.map((m) => m.name));
  const unknown = Object.keys(data).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new JudgeDataError(
      unknown.map((name) => `${name}: no such metric in the canary config (it has ${[...known].join(', ')})`),
    );
  const problems: string[] = [];
  const pairs = config.metrics.flatMap((metric): MetricSetPair[] => {
    const entry = data[metric.name];
    const ratio = isRatioQuery(metric.query);
    if (entry === undefined)
      return [
        {
          name: metric.name,
          values: { control: [], experiment: [] },
          ...(ratio ? { denominators: { control: [], experiment: [] } } : {}),
        },
      ];
    const list = Array.isArray(entry) ? entry : [{ ...entry, tags: {} }];
    return list.map((item, index) => {
      const where = Array.isArray(entry) ? `${metric.name}[${index}]` : metric.name;
      if (ratio !== isCounts(item.baseline) || ratio !== isCounts(item.canary))
        problems.push(
          ratio
            ? `${where}: ${metric.name} is a ratio metric: give each side as { numerator: [...], denominator: [...] }`
            : `${where}: give each side as a list of values`,
        );
      const values = (side: SideValue) => (isCounts(side) ? side.numerator : side);
      const denominators = (side: SideValue) => (isCounts(side) ? side.denominator : []);
      return {
        name: metric.name,
        tags: item.tags,
        values: { control: values(item.baseline), experiment: values(item.canary) },
        ...(ratio
          ? { denominators: { control: denominators(item.baseline), experiment: denominators(item.canary) } }
          : {}),
      };
    });
  });
  if (problems.length > 0) throw new JudgeDataError(problems);
  return pairs;
}
