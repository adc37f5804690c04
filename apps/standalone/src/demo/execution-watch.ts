import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AviaryApi,
  type CanaryReportState,
  type ExecutionState,
  type StageState,
} from './aviary-api.js';
import { type AnalysisTiming } from './sample-repository.js';
import { bar, type DemoOutput, seconds, text } from './output.js';

const ENDED_EXECUTION = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TERMINAL']);
const ENDED_STAGE = new Set(['SUCCEEDED', 'FAILED', 'FAILED_CONTINUE', 'CANCELED', 'TERMINAL', 'SKIPPED']);
const MARK: Record<string, string> = {
  SUCCEEDED: '✓',
  SKIPPED: '-',
  FAILED_CONTINUE: '!',
};

/** `1m30s` -> ms (the demo's own timing strings). */
function parseDuration(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g))
    total += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return total;
}

/** The one thing worth saying about a stage that ended, beside its name. */
function outcome(stage: StageState, report: CanaryReportState | undefined): string {
  const o = stage.outputs;
  if (stage.status === 'SKIPPED') return stage.reason ?? 'skipped';
  if (stage.type === 'canary-analysis')
    return `verdict ${text(o['verdict'] ?? report?.verdict ?? '?').toUpperCase()}, score ${text(o['score'] ?? report?.score ?? '?')}${
      report?.intervals && report.plannedIntervals && report.intervals.length < report.plannedIntervals
        ? ` (stopped after interval ${report.intervals.length} of ${report.plannedIntervals})`
        : ''
    }`;
  if (stage.status !== 'SUCCEEDED') return stage.reason ?? stage.status.toLowerCase();
  if (stage.type === 'quality-gate' && o['gateStatus'] !== undefined)
    return `gate ${text(o['gateStatus'])}${o['coverage'] === undefined ? '' : `, coverage ${text(o['coverage'])} %`}`;
  if (stage.type === 'build-image') return text(o['imageUrl'] ?? '');
  if (stage.type === 'checkout') return text(o['commitMessage'] ?? '').split('\n')[0] ?? '';
  if (stage.type === 'deploy' || stage.type === 'canary-deploy' || stage.type === 'promote')
    return o['endpoint'] ? `at ${text(o['endpoint'])}` : text(o['image'] ?? '');
  if (stage.type === 'notify') {
    const failed = Array.isArray(o['failed']) ? o['failed'].length : 0;
    return failed > 0 ? `${failed} channel(s) not reached (none configured here)` : '';
  }
  return '';
}

export interface WatchOptions {
  /** Called after every read of the execution (the demo starts and stops its traffic there). */
  onPoll?: (execution: ExecutionState) => void | Promise<void>;
  analysis: AnalysisTiming;
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Follows an execution until it ends, printing each stage as it ends (with what it produced), the
 * running stage on the status line, and the canary analysis as a progress bar with the intervals
 * judged so far.
 */
export async function watchExecution(
  api: AviaryApi,
  executionId: string,
  out: DemoOutput,
  options: WatchOptions,
): Promise<{ execution: ExecutionState; reports: Map<string, CanaryReportState> }> {
  const printed = new Set<string>();
  const reports = new Map<string, CanaryReportState>();
  const analysisMs = parseDuration(options.analysis.delay) + parseDuration(options.analysis.lifetime);
  const deadline = Date.now() + options.timeoutMs;
  let lastReport = 0;
  for (;;) {
    const execution = await api.execution(executionId);
    await options.onPoll?.(execution);
    const running = execution.stages.filter((s) => s.status === 'RUNNING');
    const analysis = running.find((s) => s.type === 'canary-analysis');
    if (analysis && Date.now() - lastReport > 2_000) {
      lastReport = Date.now();
      const report = await api.canaryReport(executionId, analysis.stageId);
      if (report) reports.set(analysis.stageId, report);
    }
    for (const stage of execution.stages) {
      if (!ENDED_STAGE.has(stage.status) || printed.has(stage.stageId)) continue;
      printed.add(stage.stageId);
      if (stage.type === 'canary-analysis') {
        const report = await api.canaryReport(executionId, stage.stageId);
        if (report) reports.set(stage.stageId, report);
      }
      const mark = MARK[stage.status] ?? '✗';
      out.line(
        `  ${mark} ${stage.name.padEnd(28)} ${seconds(stage.durationMs).padStart(7)}  ${outcome(stage, reports.get(stage.stageId))}`,
      );
    }
    if (ENDED_EXECUTION.has(execution.status)) return { execution, reports };
    if (analysis?.startedAt) {
      const elapsed = Date.now() - Date.parse(analysis.startedAt);
      const report = reports.get(analysis.stageId);
      const judged = report?.intervals ?? [];
      const last = judged.at(-1);
      out.status(
        `  ⋯ ${analysis.name.padEnd(28)} ${bar(elapsed / analysisMs)} ${Math.min(100, Math.round((100 * elapsed) / analysisMs))} %` +
          (last
            ? `  interval ${judged.length}/${report?.plannedIntervals ?? '?'}: score ${last.score}`
            : '  warming up, then judging'),
      );
    } else if (running.length > 0) {
      out.status(
        `  ⋯ ${running
          .map((s) => `${s.name} ${s.startedAt ? seconds(Date.now() - Date.parse(s.startedAt)) : ''}`)
          .join(', ')}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `execution ${executionId} did not end within ${seconds(options.timeoutMs)} (it is ${execution.status})`,
      );
    await sleep(options.pollMs ?? 500);
  }
}
