import { z } from 'zod';
import { type LintMessage, type LintReport } from './model.js';
import { parseJson, ReportError, shapeProblem } from './report-error.js';

const Message = z.object({
  ruleId: z.string().nullable().optional(),
  severity: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  message: z.string(),
  line: z.number().int().optional(),
  fatal: z.boolean().optional(),
});
const Results = z.array(z.object({ filePath: z.string().min(1), messages: z.array(Message) }));

/** ESLint's `--format json` output: one entry per file with its messages (suppressed ones are not read). */
export function parseEslint(file: string, text: string): LintReport {
  const parsed = Results.safeParse(parseJson(file, text));
  if (!parsed.success)
    throw new ReportError(file, shapeProblem('an ESLint JSON report', parsed.error.issues));
  const messages: LintMessage[] = [];
  for (const result of parsed.data)
    for (const m of result.messages) {
      if (m.severity === 0) continue;
      messages.push({
        path: result.filePath,
        line: m.line ?? 1,
        ruleId: m.ruleId ?? null,
        level: m.fatal ? 2 : m.severity,
        fatal: m.fatal === true,
        message: m.message,
      });
    }
  return { kind: 'lint', files: parsed.data.length, messages };
}
