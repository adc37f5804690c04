import { createHmac, randomUUID } from 'node:crypto';

export interface StageView {
  stageId: string;
  type: string;
  status: string;
  reason?: string;
  attempts: Array<{ attempt: number; status: string; worker?: string }>;
}

export interface ExecutionView {
  executionId: string;
  application: string;
  branch?: string;
  sha: string;
  status: string;
  reason?: string;
  stages: StageView[];
}

export interface ExecutionSummary {
  executionId: string;
  branch?: string;
  status: string;
}

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TERMINAL']);

export function isEnded(status: string): boolean {
  return ENDED.has(status);
}

/** What the test does as a user: the REST API with the admin token, and signed webhooks. */
export class GatewayClient {
  constructor(
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Registers an application; answers its webhook secret (shown once). */
  async createApplication(
    gateway: string,
    body: { name: string; provider: 'generic' | 'github'; repositoryUrl: string },
  ): Promise<string> {
    const created = await this.call<{ webhookSecret: string }>(gateway, 'POST', '/api/v1/applications', {
      ...body,
      defaultBranch: 'main',
    });
    return created.webhookSecret;
  }

  /** `POST /webhooks/generic/<application>`, signed; answers the status code and the delivery id. */
  async genericPush(
    gateway: string,
    push: {
      application: string;
      secret: string;
      repo: string;
      branch: string;
      sha: string;
      delivery?: string;
    },
  ): Promise<{ status: number; delivery: string }> {
    const delivery = push.delivery ?? randomUUID();
    const body = JSON.stringify({ repo: push.repo, ref: `refs/heads/${push.branch}`, sha: push.sha });
    const response = await fetch(`${gateway}/webhooks/generic/${encodeURIComponent(push.application)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-uuid': delivery,
        'x-aviary-signature': `sha256=${createHmac('sha256', push.secret).update(body).digest('hex')}`,
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel();
    return { status: response.status, delivery };
  }

  /** A GitHub `push` delivery (the fields Aviary reads), signed with `X-Hub-Signature-256`. */
  async githubPush(
    gateway: string,
    push: { secret: string; repo: string; branch: string; sha: string; delivery?: string },
  ): Promise<{ status: number; delivery: string }> {
    const delivery = push.delivery ?? randomUUID();
    const body = JSON.stringify({
      ref: `refs/heads/${push.branch}`,
      before: '0'.repeat(40),
      after: push.sha,
      created: true,
      deleted: false,
      forced: false,
      commits: [{ id: push.sha, message: `push to ${push.branch}`, distinct: true }],
      head_commit: { id: push.sha, message: `push to ${push.branch}` },
      pusher: { name: 'ada' },
      sender: { login: 'ada' },
      repository: {
        full_name: 'e2e/chaos',
        html_url: push.repo,
        clone_url: push.repo,
        default_branch: 'main',
      },
    });
    const response = await fetch(`${gateway}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', push.secret).update(body).digest('hex')}`,
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel();
    return { status: response.status, delivery };
  }

  async executions(gateway: string, application: string): Promise<ExecutionSummary[]> {
    const page = await this.call<{ executions: ExecutionSummary[] }>(
      gateway,
      'GET',
      `/api/v1/executions?application=${encodeURIComponent(application)}&limit=100`,
    );
    return page.executions;
  }

  execution(gateway: string, executionId: string): Promise<ExecutionView> {
    return this.call(gateway, 'GET', `/api/v1/executions/${encodeURIComponent(executionId)}`);
  }

  private async call<T>(gateway: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}
