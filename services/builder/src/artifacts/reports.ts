import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type StageRef } from '@aviary/events';
import { ARTIFACTS_BUCKET, artifactUrl, type BusClient } from '@aviary/messaging';
import { REPORT_KINDS } from '@aviary/pipeline-spec';

export type ReportKind = (typeof REPORT_KINDS)[number];

export interface StoredReport {
  kind: ReportKind;
  url: string;
  size: number;
}

export interface ReportOutcome {
  stored: StoredReport[];
  missing: Array<{ kind: ReportKind; path: string }>;
}

function part(value: string): string {
  return encodeURIComponent(value);
}

/** `<execution>/<stage>/<attempt>/<kind>/<file>`: the object a report is kept as. */
export function reportObjectName(ref: StageRef, kind: string, file: string): string {
  return `${part(ref.executionId)}/${part(ref.stageId)}/${ref.attempt}/${kind}/${part(basename(file))}`;
}

/**
 * Keeps the reports a step declared (coverage, JUnit, ESLint, audit, duplication...) in the
 * artifacts bucket; each is named in the stage outputs as `<kind>Report: artifact://...`.
 */
export class ReportCollector {
  constructor(private readonly bus: BusClient) {}

  async collect(
    ref: StageRef,
    declared: Partial<Record<ReportKind, string>>,
    resolvePath: (path: string) => string,
  ): Promise<ReportOutcome> {
    const outcome: ReportOutcome = { stored: [], missing: [] };
    const store = this.bus.objects(ARTIFACTS_BUCKET);
    for (const kind of REPORT_KINDS) {
      const path = declared[kind];
      if (path === undefined) continue;
      const file = resolvePath(path);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        outcome.missing.push({ kind, path });
        continue;
      }
      const name = reportObjectName(ref, kind, file);
      const stored = await store.put(name, createReadStream(file) as AsyncIterable<Uint8Array>, {
        metadata: {
          kind,
          path,
          executionId: ref.executionId,
          stageId: ref.stageId,
          attempt: String(ref.attempt),
        },
      });
      outcome.stored.push({ kind, url: artifactUrl(name), size: stored.size });
    }
    return outcome;
  }
}
