import {
  type DataOf,
  type ExecutionDetail,
  type ExecutionSummary,
  type ListExecutions,
  type ReplyOf,
} from '@aviary/events';
import { type ResolvedPipeline } from '@aviary/pipeline-spec';
import { type EntityManager } from 'typeorm';
import { ExecutionRow, HistoryRow, StageAttemptRow, StageRow } from './entities.js';

const HISTORY_LIMIT = 2_000;

function iso(value: Date | null): string | undefined {
  return value === null ? undefined : value.toISOString();
}

function durationOf(start: Date | null, end: Date | null): number | undefined {
  return start && end ? Math.max(0, end.getTime() - start.getTime()) : undefined;
}

/** Drops undefined fields: the reply schemas have optional fields, not nullable ones. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function summary(row: ExecutionRow): ExecutionSummary {
  return defined({
    executionId: row.id,
    application: row.application,
    pipeline: row.pipelineName ?? undefined,
    branch: row.branch ?? undefined,
    sha: row.sha,
    status: row.status as ExecutionSummary['status'],
    reason: row.reason ?? undefined,
    trigger: row.trigger,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    durationMs: durationOf(row.startedAt, row.endedAt),
  });
}

interface Cursor {
  createdAt: string;
  id: string;
}

function encodeCursor(row: ExecutionRow): string {
  return Buffer.from(JSON.stringify({ createdAt: row.createdAt.toISOString(), id: row.id })).toString(
    'base64url',
  );
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof value.createdAt === 'string' && typeof value.id === 'string') return value as Cursor;
  } catch {
    // Reported below, whatever was wrong with it.
  }
  throw new Error('invalid cursor: pass back the nextCursor of the previous page');
}

/** What the gateway reads: pages of executions, and one execution whole. */
export class ExecutionQueries {
  async list(
    manager: EntityManager,
    query: DataOf<typeof ListExecutions>,
  ): Promise<ReplyOf<typeof ListExecutions>> {
    const filtered = () => {
      const builder = manager.getRepository(ExecutionRow).createQueryBuilder('e');
      if (query.application)
        builder.andWhere('e.application = :application', { application: query.application });
      if (query.branch) builder.andWhere('e.branch = :branch', { branch: query.branch });
      if (query.status) builder.andWhere('e.status in (:...status)', { status: query.status });
      return builder;
    };
    const page = filtered()
      .orderBy('e.createdAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(query.limit + 1);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      page.andWhere('(e.created_at, e.id) < (:createdAt, :id)', {
        createdAt: cursor.createdAt,
        id: cursor.id,
      });
    }
    const [rows, total] = await Promise.all([page.getMany(), filtered().getCount()]);
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const last = shown.at(-1);
    return {
      executions: shown.map(summary),
      total,
      ...(more && last ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  async get(manager: EntityManager, executionId: string): Promise<ExecutionDetail | undefined> {
    const row = await manager.getRepository(ExecutionRow).findOneBy({ id: executionId });
    if (!row) return undefined;
    const [stages, attempts, history] = await Promise.all([
      manager.getRepository(StageRow).find({ where: { executionId }, order: { position: 'ASC' } }),
      manager.getRepository(StageAttemptRow).find({ where: { executionId }, order: { attempt: 'ASC' } }),
      manager
        .getRepository(HistoryRow)
        .find({ where: { executionId }, order: { id: 'DESC' }, take: HISTORY_LIMIT })
        .then((entries) => entries.reverse()),
    ]);
    const pipeline: ResolvedPipeline | null = row.pipeline;
    const definitions = new Map(pipeline?.stages.map((stage) => [stage.id, stage]));
    return {
      ...summary(row),
      ...(pipeline ? { concurrency: pipeline.concurrency, timeoutMs: pipeline.timeoutMs } : {}),
      stages: stages.map((stage) => {
        const definition = definitions.get(stage.stageId);
        return defined({
          stageId: stage.stageId,
          name: definition?.name ?? stage.stageId,
          type: stage.type,
          dependsOn: definition?.dependsOn ?? [],
          status: stage.status as ExecutionDetail['stages'][number]['status'],
          attempt: stage.attempt,
          reason: stage.reason ?? undefined,
          outputs: stage.outputs,
          startedAt: iso(stage.startedAt),
          endedAt: iso(stage.endedAt),
          durationMs: durationOf(stage.startedAt, stage.endedAt),
          attempts: attempts
            .filter((attempt) => attempt.stageId === stage.stageId)
            .map((attempt) =>
              defined({
                attempt: attempt.attempt,
                status: attempt.status as ExecutionDetail['stages'][number]['attempts'][number]['status'],
                worker: attempt.worker ?? undefined,
                dispatchedAt: attempt.dispatchedAt.toISOString(),
                startedAt: iso(attempt.startedAt),
                endedAt: iso(attempt.endedAt),
                deadline: iso(attempt.deadline),
                error: attempt.error ?? undefined,
                outputs: attempt.outputs,
              }),
            ),
        });
      }),
      history: history.map((entry) =>
        defined({
          at: entry.at.toISOString(),
          actor: entry.actor,
          action: entry.action,
          stageId: entry.stageId ?? undefined,
          from: entry.fromStatus ?? undefined,
          to: entry.toStatus ?? undefined,
          detail: entry.detail ?? undefined,
        }),
      ),
    };
  }
}
