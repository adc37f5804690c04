import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How often each stage's command really ran in an execution, by attempt: `{ a: [1], b: [1, 2] }`
 * (the journal file its commands append `<stage> <attempt>` to); `'<stage> overlapped'` lists the
 * attempts that started while another attempt of the stage still ran.
 */
export function journalOf(journal: string, executionId: string): Record<string, number[]> {
  const file = join(journal, executionId);
  const runs: Record<string, number[]> = {};
  if (!existsSync(file)) return runs;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [stage, attempt, overlap] = line.trim().split(' ');
    if (!stage || !attempt) continue;
    if (overlap) (runs[`${stage} overlapped`] ??= []).push(Number(attempt));
    else (runs[stage] ??= []).push(Number(attempt));
  }
  for (const attempts of Object.values(runs)) attempts.sort((a, b) => a - b);
  return runs;
}

/** The process id in a replica's name (`host:1234:ab12cd34`, `builder/host-1234-a1b2c3`). */
export function pidIn(replicaName: string): number | undefined {
  const match = /[:-](\d+)[:-][0-9a-f]+$/.exec(replicaName);
  return match ? Number(match[1]) : undefined;
}
