import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { type Logger } from 'pino';
import { type Principal } from '../auth/access.js';
import { AuditRecordEntity } from './audit-record.entity.js';

export interface AuditEntry {
  principal: Principal | undefined;
  action: string;
  target: string | null;
  status: number;
  sourceAddress: string;
  userAgent: string | undefined;
}

export interface AuditView {
  id: string;
  at: string;
  actor: string;
  role: string | null;
  via: string;
  action: string;
  target: string | null;
  status: number;
  outcome: string;
  sourceAddress: string;
  userAgent: string | null;
}

function outcomeOf(status: number): AuditRecordEntity['outcome'] {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'succeeded' : 'failed';
}

@Injectable()
export class AuditService {
  constructor(
    private readonly database: Database,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes one record; a failure to write is logged (with the entry), never hidden in the response. */
  async record(entry: AuditEntry): Promise<void> {
    const row = {
      at: new Date(),
      actor: entry.principal?.name ?? 'unauthenticated',
      role: entry.principal?.role ?? null,
      via: entry.principal?.via ?? 'none',
      action: entry.action,
      target: entry.target,
      status: entry.status,
      outcome: outcomeOf(entry.status),
      sourceAddress: entry.sourceAddress,
      userAgent: entry.userAgent?.slice(0, 500) ?? null,
    };
    try {
      await this.database.dataSource.getRepository(AuditRecordEntity).insert(row);
    } catch (error) {
      this.logger.error({ err: error, audit: row }, 'could not write an audit record');
    }
  }

  async list(options: { limit: number; before?: string; actor?: string }): Promise<AuditView[]> {
    const query = this.database.dataSource
      .getRepository(AuditRecordEntity)
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .limit(options.limit);
    if (options.before !== undefined) query.andWhere('a.id < :before', { before: options.before });
    if (options.actor !== undefined) query.andWhere('a.actor = :actor', { actor: options.actor });
    return (await query.getMany()).map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
