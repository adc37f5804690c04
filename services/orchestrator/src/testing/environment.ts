import {
  CancelExecution,
  GetExecution,
  GiveJudgment,
  ListExecutions,
  RestartStage,
  TriggerExecution,
  WebhookReceived,
  type DataOf,
  type ExecutionDetail,
} from '@aviary/events';
import { type BusClient } from '@aviary/messaging';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { randomBytes, randomUUID } from 'node:crypto';

/** Settings of an orchestrator under test: everything that waits is short. */
export const FAST_SETTINGS: Record<string, string> = {
  PORT: '0',
  LOG_LEVEL: 'silent',
  LOG_FORMAT: 'json',
  AVIARY_ACK_WAIT_MS: '2000',
  AVIARY_OUTBOX_CLAIM_TTL_MS: '1500',
  ORCHESTRATOR_TIMER_POLL_MS: '200',
  ORCHESTRATOR_TIMER_LEASE_MS: '3000',
  ORCHESTRATOR_WATCHDOG_INTERVAL_MS: '300',
  ORCHESTRATOR_WATCHDOG_GRACE_MS: '1500',
  ORCHESTRATOR_FILE_QUERY_TIMEOUT_MS: '1000',
  ORCHESTRATOR_RESOLVE_RETRY_MS: '200',
  ORCHESTRATOR_RESOLVE_ATTEMPTS: '3',
};

export interface TestEnvironment {
  env: Record<string, string>;
  natsUrl: string;
  databaseUrl: string;
  subjectRoot: string;
  streamPrefix: string;
  schema: string;
  dispose(): Promise<void>;
}

/** Unique streams, subjects and schema for one test file, removed afterwards. */
export async function testEnvironment(overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName('orch')}_`;
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  return {
    env: {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      ...FAST_SETTINGS,
      ...overrides,
    },
    natsUrl,
    databaseUrl,
    ...names,
    schema: `${schemaPrefix}orchestrator`,
    dispose: async () => {
      await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
      await dropSchema(databaseUrl, `${schemaPrefix}orchestrator`).catch(() => undefined);
    },
  };
}

export const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

export function uniqueApplication(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

type Detail = ExecutionDetail;

/** What a person or the gateway does, over the bus: push, trigger, cancel, restart, judge, look. */
export class Client {
  constructor(private readonly bus: BusClient) {}

  async push(application: string, branch = 'main', sha = SHA): Promise<string> {
    const deliveryId = randomUUID();
    await this.bus.publish(WebhookReceived, {
      deliveryId,
      application,
      receivedAt: new Date().toISOString(),
      trigger: {
        kind: 'push',
        provider: 'github',
        repository: `https://github.com/acme/${application}`,
        ref: `refs/heads/${branch}`,
        branch,
        sha,
        actor: 'dev',
      },
    });
    return deliveryId;
  }

  async trigger(data: Omit<DataOf<typeof TriggerExecution>, 'sha'> & { sha?: string }): Promise<void> {
    await this.bus.publish(TriggerExecution, { sha: SHA, ...data });
  }

  async cancel(executionId: string, user = 'alice', reason?: string): Promise<void> {
    await this.bus.publish(CancelExecution, { executionId, user, ...(reason ? { reason } : {}) });
  }

  async restart(executionId: string, stageId: string, user = 'alice'): Promise<void> {
    await this.bus.publish(RestartStage, { executionId, stageId, user });
  }

  async judge(
    executionId: string,
    stageId: string,
    decision: 'approve' | 'reject',
    user = 'alice',
    comment?: string,
  ): Promise<void> {
    await this.bus.publish(GiveJudgment, {
      executionId,
      stageId,
      decision,
      user,
      via: 'ui',
      ...(comment ? { comment } : {}),
    });
  }

  list(query: Partial<DataOf<typeof ListExecutions>>) {
    return this.bus.query(ListExecutions, { limit: 50, ...query }, { timeoutMs: 5_000 });
  }

  async get(executionId: string): Promise<Detail> {
    const reply = await this.bus.query(GetExecution, { executionId }, { timeoutMs: 5_000 });
    if (!reply.found) throw new Error(`no execution ${executionId}`);
    return reply.execution;
  }

  /** The id of the `n`-th execution of an application (oldest first), once it exists. */
  async executionOf(application: string, n = 0, timeoutMs = 20_000): Promise<string> {
    return eventually(
      async () => {
        const { executions } = await this.list({ application });
        const found = executions.at(-1 - n);
        if (!found) throw new Error(`no execution ${n} of ${application} yet`);
        return found.executionId;
      },
      timeoutMs,
      50,
    );
  }

  /** Polls the execution until `check` passes (it asserts), and returns it. */
  async until(executionId: string, check: (execution: Detail) => void, timeoutMs = 20_000): Promise<Detail> {
    return eventually(
      async () => {
        const execution = await this.get(executionId);
        check(execution);
        return execution;
      },
      timeoutMs,
      50,
    );
  }

  async ended(executionId: string, timeoutMs = 20_000): Promise<Detail> {
    return this.until(
      executionId,
      (execution) => {
        if (['NOT_STARTED', 'RUNNING', 'PAUSED'].includes(execution.status))
          throw new Error(
            `${executionId} is still ${execution.status}: ${JSON.stringify(statuses(execution))}`,
          );
      },
      timeoutMs,
    );
  }
}

export function statuses(execution: Detail): Record<string, string> {
  return Object.fromEntries(execution.stages.map((stage) => [stage.stageId, stage.status]));
}
