import { z } from 'zod';
import { type DuplicatedBlock, type DuplicationReport } from './model.js';
import { parseJson, ReportError, shapeProblem } from './report-error.js';

const Occurrence = z.object({ name: z.string().min(1), start: z.number().int(), end: z.number().int() });
const Report = z.object({
  duplicates: z.array(z.object({ firstFile: Occurrence, secondFile: Occurrence })),
  statistics: z.object({ total: z.object({ lines: z.number().min(0) }).optional() }).optional(),
});

/** jscpd's JSON reporter (`jscpd-report.json`): each clone's two occurrences, and the lines it read. */
export function parseJscpd(file: string, text: string): DuplicationReport {
  const parsed = Report.safeParse(parseJson(file, text));
  if (!parsed.success) throw new ReportError(file, shapeProblem('a jscpd JSON report', parsed.error.issues));
  const blocks: DuplicatedBlock[] = [];
  for (const clone of parsed.data.duplicates)
    for (const o of [clone.firstFile, clone.secondFile]) {
      if (o.end < o.start)
        throw new ReportError(file, `a clone in ${o.name} ends (${o.end}) before it starts (${o.start})`);
      blocks.push({ path: o.name, start: o.start, end: o.end });
    }
  const totalLines = parsed.data.statistics?.total?.lines;
  return { kind: 'duplication', blocks, ...(totalLines !== undefined ? { totalLines } : {}) };
}
