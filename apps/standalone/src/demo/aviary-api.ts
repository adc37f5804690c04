import { type SignedWebhook } from './github-push.js';

/** The parts of an execution the demo reads (`GET /api/v1/executions/<id>`). */
export interface StageState {
  stageId: string;
  name: string;
  type: string;
  status: string;
  reason?: string;
  outputs: Record<string, unknown>;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

export interface ExecutionState {
  executionId: string;
  application: string;
  sha: string;
  status: string;
  reason?: string;
  durationMs?: number;
  stages: StageState[];
}

export interface CanaryReportState {
  verdict?: string;
  score?: number;
  plannedIntervals?: number;
  intervals?: Array<{ index: number; score: number; classification?: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small client of Aviary's REST API, authenticated with a bearer token. */
export class AviaryApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** True when the gateway answers `/health` (any status: it is there). */
  static async answers(baseUrl: string): Promise<boolean> {
    try {
      const response = await fetch(new URL('/health', baseUrl), { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  async application(name: string): Promise<{ name: string; repositoryUrl: string } | undefined> {
    try {
      return await this.call('GET', `/api/v1/applications/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  createApplication(body: {
    name: string;
    provider: 'github';
    repositoryUrl: string;
    defaultBranch: string;
    webhookSecret: string;
  }): Promise<{ name: string; webhookPath: string }> {
    return this.call('POST', '/api/v1/applications', body);
  }

  updateApplication(name: string, body: { repositoryUrl: string; webhookSecret: string }): Promise<unknown> {
    return this.call('PATCH', `/api/v1/applications/${encodeURIComponent(name)}`, body);
  }

  async sendWebhook(webhook: SignedWebhook): Promise<{ status: string; message: string }> {
    const response = await fetch(new URL('/webhooks/github', this.baseUrl), {
      method: 'POST',
      headers: webhook.headers,
      body: webhook.body,
    });
    const answer = (await response.json()) as { status?: string; message?: string; detail?: string };
    if (response.status !== 202)
      throw new ApiError(
        response.status,
        `the webhook was refused (${response.status}): ${answer.detail ?? answer.message}`,
      );
    return { status: answer.status ?? '', message: answer.message ?? '' };
  }

  async executions(
    application: string,
  ): Promise<Array<{ executionId: string; sha: string; status: string }>> {
    const reply = await this.call<{
      executions: Array<{ executionId: string; sha: string; status: string }>;
    }>('GET', `/api/v1/executions?application=${encodeURIComponent(application)}&limit=20`);
    return reply.executions;
  }

  execution(executionId: string): Promise<ExecutionState> {
    return this.call('GET', `/api/v1/executions/${encodeURIComponent(executionId)}`);
  }

  async canaryReport(executionId: string, stageId: string): Promise<CanaryReportState | undefined> {
    try {
      return await this.call(
        'GET',
        `/api/v1/executions/${encodeURIComponent(executionId)}/stages/${encodeURIComponent(stageId)}/canary-report`,
      );
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 503)) return undefined;
      throw error;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        // Not a problem document: the text says it.
      }
      throw new ApiError(response.status, `${method} ${path}: ${response.status} ${detail}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
