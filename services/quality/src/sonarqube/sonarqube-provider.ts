import { type GateStatus } from '@aviary/quality-gate';
import { z } from 'zod';
import { type Evaluation, type StoredCondition } from '../analysis/evaluation.js';

/** SonarQube did not give a usable answer; `retryable` when waiting longer or asking again may help. */
export class SonarQubeError extends Error {
  override readonly name = 'SonarQubeError';

  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const TaskReply = z.object({
  task: z.object({
    id: z.string(),
    status: z.enum(['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'CANCELED']),
    analysisId: z.string().optional(),
    componentKey: z.string().optional(),
    errorMessage: z.string().optional(),
  }),
});

const Condition = z.object({
  status: z.enum(['OK', 'WARN', 'ERROR', 'NONE']),
  metricKey: z.string(),
  comparator: z.enum(['GT', 'LT', 'EQ', 'NE']),
  periodIndex: z.number().optional(),
  errorThreshold: z.string().optional(),
  warningThreshold: z.string().optional(),
  actualValue: z.string().optional(),
});
const ProjectStatusReply = z.object({
  projectStatus: z.object({
    status: z.enum(['OK', 'WARN', 'ERROR', 'NONE']),
    conditions: z.array(Condition).default([]),
    ignoredConditions: z.boolean().optional(),
    caycStatus: z.string().optional(),
  }),
});

export interface SonarQubeSource {
  projectKey: string;
  taskId?: string;
  branch?: string;
  url?: string;
}

export interface SonarQubeOptions {
  url?: string;
  token?: string;
  waitMs: number;
  pollMs: number;
  httpTimeoutMs: number;
}

const number = (text: string | undefined) => {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * The gate of a SonarQube server, for teams that keep theirs: submits nothing; waits for the
 * analysis task the scanner left (`api/ce/task`), then reads `api/qualitygates/project_status` for
 * that analysis (or the project's latest), and returns it in Aviary's result shape.
 */
export class SonarQubeProvider {
  constructor(private readonly options: SonarQubeOptions) {}

  async evaluate(source: SonarQubeSource, deadline: number, signal: AbortSignal): Promise<Evaluation> {
    const base = (source.url ?? this.options.url)?.replace(/\/+$/, '');
    if (!base)
      throw new SonarQubeError(
        'provider sonarqube: no server (set sonarqube.url or QUALITY_SONARQUBE_URL)',
        false,
      );
    const until = Math.min(deadline, Date.now() + this.options.waitMs);
    const query = new URLSearchParams();
    let taskStatus: string | undefined;
    if (source.taskId) {
      const task = await this.waitForTask(base, source.taskId, until, signal);
      taskStatus = task.status;
      if (!task.analysisId)
        throw new SonarQubeError(`SonarQube task ${task.id} succeeded without an analysis id`, false);
      query.set('analysisId', task.analysisId);
    } else {
      query.set('projectKey', source.projectKey);
      if (source.branch) query.set('branch', source.branch);
    }
    const reply = ProjectStatusReply.safeParse(
      await this.get(base, `/api/qualitygates/project_status?${query.toString()}`, signal),
    );
    if (!reply.success)
      throw new SonarQubeError(`SonarQube's project_status answer is not one: ${reply.error.message}`, false);
    const status = reply.data.projectStatus;
    const conditions: StoredCondition[] = status.conditions.map((c) => {
      const error = number(c.errorThreshold);
      const warning = number(c.warningThreshold);
      const actual = number(c.actualValue);
      const op = c.comparator.toLowerCase() as StoredCondition['op'];
      const sign = { gt: '>', lt: '<', eq: '=', ne: '≠' }[op];
      const thresholds = [
        error !== undefined ? `error ${sign} ${c.errorThreshold}` : '',
        warning !== undefined ? `warning ${sign} ${c.warningThreshold}` : '',
      ].filter(Boolean);
      const conditionStatus = c.status === 'NONE' ? 'NO_VALUE' : c.status;
      return {
        metric: c.metricKey,
        op,
        onNewCode: c.periodIndex !== undefined || c.metricKey.startsWith('new_'),
        ...(error !== undefined ? { error } : {}),
        ...(warning !== undefined ? { warning } : {}),
        ...(actual !== undefined ? { actual } : {}),
        status: conditionStatus,
        description: `${c.metricKey} ${c.actualValue ?? 'no value'} (${thresholds.join(', ')}): ${conditionStatus}`,
      };
    });
    const measures = Object.fromEntries(
      conditions.filter((c) => c.actual !== undefined).map((c) => [c.metric, c.actual!]),
    );
    const overall: GateStatus = status.status === 'NONE' ? 'OK' : status.status;
    return {
      provider: 'sonarqube',
      status: overall,
      gate: `sonarqube:${source.projectKey}`,
      project: { name: source.projectKey, status: overall, measures, conditions },
      subProjects: [],
      failing: overall === 'ERROR' ? [source.projectKey] : [],
      unreadable: [],
      newCode: { available: conditions.some((c) => c.onNewCode), reason: 'measured by SonarQube' },
      details: {
        server: base,
        projectKey: source.projectKey,
        ...(source.taskId ? { taskId: source.taskId, taskStatus } : {}),
        ...(query.get('analysisId') ? { analysisId: query.get('analysisId') } : {}),
        ...(status.status === 'NONE' ? { note: 'the project has no quality gate on SonarQube' } : {}),
      },
    };
  }

  private async waitForTask(base: string, taskId: string, until: number, signal: AbortSignal) {
    for (;;) {
      const reply = TaskReply.safeParse(
        await this.get(base, `/api/ce/task?id=${encodeURIComponent(taskId)}`, signal),
      );
      if (!reply.success)
        throw new SonarQubeError(`SonarQube's task answer is not one: ${reply.error.message}`, false);
      const task = reply.data.task;
      if (task.status === 'SUCCESS') return task;
      if (task.status === 'FAILED' || task.status === 'CANCELED')
        throw new SonarQubeError(
          `SonarQube analysis task ${taskId} ${task.status}${task.errorMessage ? `: ${task.errorMessage}` : ''}`,
          false,
        );
      if (Date.now() + this.options.pollMs > until)
        throw new SonarQubeError(
          `SonarQube analysis task ${taskId} still ${task.status} after waiting ${Math.round((Date.now() - (until - this.options.waitMs)) / 1000)}s`,
          true,
        );
      await sleep(this.options.pollMs, signal);
    }
  }

  private async get(base: string, path: string, signal: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token)
      headers['authorization'] = `Basic ${Buffer.from(`${this.options.token}:`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        headers,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.httpTimeoutMs)]),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new SonarQubeError(
        `SonarQube at ${base} did not answer ${path.split('?')[0]}: ${(error as Error).message}`,
        true,
      );
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403)
      throw new SonarQubeError(
        `SonarQube refused the token (${response.status}) for ${path.split('?')[0]}`,
        false,
      );
    if (response.status === 404)
      throw new SonarQubeError(
        `SonarQube: ${this.errorText(text) ?? 'not found'} (${path.split('?')[0]})`,
        false,
      );
    if (!response.ok)
      throw new SonarQubeError(
        `SonarQube answered ${response.status} to ${path.split('?')[0]}${this.errorText(text) ? `: ${this.errorText(text)}` : ''}`,
        response.status >= 500 || response.status === 429,
      );
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SonarQubeError(`SonarQube's answer to ${path.split('?')[0]} is not JSON`, true);
    }
  }

  /** SonarQube's error body: `{"errors":[{"msg":"..."}]}`. */
  private errorText(text: string): string | undefined {
    try {
      const body = JSON.parse(text) as { errors?: { msg?: string }[] };
      return body.errors?.map((e) => e.msg).join('; ') || undefined;
    } catch {
      return undefined;
    }
  }
}
