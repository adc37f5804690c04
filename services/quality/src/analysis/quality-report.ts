import { type QualityReport } from '@aviary/events';
import { measureDelta } from '@aviary/quality-gate';
import { type AnalysisRow } from '../store/analysis.entity.js';
import { type Evaluation, type StoredCondition, type StoredProject } from './evaluation.js';

const GATE: Record<string, QualityReport['gate']> = { OK: 'passed', WARN: 'passed', ERROR: 'failed' };

function condition(c: StoredCondition): QualityReport['conditions'][number] {
  const operator = c.op === 'ne' ? 'eq' : c.op;
  return {
    metric: c.metric,
    operator,
    threshold: c.error ?? c.warning ?? 0,
    ...(c.actual !== undefined ? { actual: c.actual } : {}),
    passed: c.status !== 'ERROR',
    status: c.status,
    ...(c.error !== undefined ? { errorThreshold: c.error } : {}),
    ...(c.warning !== undefined ? { warningThreshold: c.warning } : {}),
    onNewCode: c.onNewCode,
    description: c.description,
  };
}

const subProject = (p: StoredProject) => ({
  name: p.name,
  status: p.status,
  metrics: p.measures,
  conditions: p.conditions.map(condition),
});

/** The stored evaluation as the gateway serves it, with the delta from the previous main build. */
export function toQualityReport(row: AnalysisRow, previous: AnalysisRow | null): QualityReport {
  const e = row.result as Evaluation;
  return {
    reportId: row.id,
    executionId: row.executionId,
    stageId: row.stageId,
    attempt: row.attempt,
    application: row.application,
    gate: e.unreadable.length > 0 ? 'error' : (GATE[e.status] ?? 'none'),
    metrics: e.project.measures,
    conditions: e.project.conditions.map(condition),
    evaluatedAt: row.evaluatedAt.toISOString(),
    details: { ...e.details, mode: row.mode },
    status: e.status,
    gateName: e.gate,
    provider: e.provider,
    ...(row.branch ? { branch: row.branch } : {}),
    sha: row.sha,
    subProjects: e.subProjects.map(subProject),
    failing: e.failing,
    unreadable: e.unreadable,
    newCode: e.newCode,
    ...(previous
      ? {
          previous: {
            reportId: previous.id,
            sha: previous.sha,
            status: previous.status as 'OK' | 'WARN' | 'ERROR',
            evaluatedAt: previous.evaluatedAt.toISOString(),
          },
          delta: measureDelta(row.measures, previous.measures),
        }
      : {}),
  };
}
