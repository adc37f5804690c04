import {
  type ConditionResult,
  describeCondition,
  type GateStatus,
  type ProjectResult,
  type QualityResult,
  type UnreadableReport,
} from '@aviary/quality-gate';

/** A condition as stored and reported, whichever provider evaluated it. */
export interface StoredCondition {
  metric: string;
  op: 'gt' | 'lt' | 'eq' | 'ne';
  onNewCode: boolean;
  error?: number;
  warning?: number;
  actual?: number;
  status: ConditionResult['status'];
  description: string;
}

export interface StoredProject {
  name: string;
  status: GateStatus;
  measures: Record<string, number>;
  conditions: StoredCondition[];
}

/** One gate evaluation, Aviary's or SonarQube's, in one shape: what is stored and what the report shows. */
export interface Evaluation {
  provider: 'aviary' | 'sonarqube';
  status: GateStatus;
  gate: string;
  project: StoredProject;
  subProjects: StoredProject[];
  failing: string[];
  unreadable: UnreadableReport[];
  newCode: { available: boolean; reason?: string; baseSha?: string; files?: number; lines?: number };
  details: Record<string, unknown>;
}

const project = (p: ProjectResult): StoredProject => ({
  name: p.name,
  status: p.status,
  measures: p.measures,
  conditions: p.conditions.map((c) => ({ ...c, description: describeCondition(c) })),
});

export function fromQualityResult(result: QualityResult, baseSha?: string): Evaluation {
  return {
    provider: 'aviary',
    status: result.status,
    gate: result.gate,
    project: project(result.project),
    subProjects: result.subProjects.map(project),
    failing: result.failing,
    unreadable: result.unreadable,
    newCode: { ...result.newCode, ...(baseSha && result.newCode.available ? { baseSha } : {}) },
    details: {
      reports: result.reports,
      ...(result.coverageFrom ? { coverageFrom: result.coverageFrom } : {}),
    },
  };
}

/** Why the gate failed, in one line: the unreadable reports, else the failing conditions and projects. */
export function failureSummary(evaluation: Evaluation): string {
  if (evaluation.unreadable.length > 0)
    return `report unreadable: ${evaluation.unreadable.map((u) => `${u.file}: ${u.problem}`).join('; ')}`;
  const failing = [evaluation.project, ...evaluation.subProjects].flatMap((p) =>
    p.conditions
      .filter((c) => c.status === 'ERROR')
      .map((c) => (p === evaluation.project ? c.description : `${p.name}: ${c.description}`)),
  );
  return `quality gate "${evaluation.gate}" failed${evaluation.failing.length ? ` (${evaluation.failing.join(', ')})` : ''}: ${failing.join('; ')}`;
}
