import { GetExecution, ListExecutions, type DataOf, type ReplyOf } from '@aviary/events';
import { BusExceptionFilter } from '@aviary/messaging';
import { Database } from '@aviary/persistence';
import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ExecutionQueries } from '../store/execution-queries.js';

/** The gateway's reads: pages of executions, and one execution with everything about it. */
@Controller()
@UseFilters(BusExceptionFilter)
export class QueriesController {
  constructor(
    private readonly db: Database,
    private readonly queries: ExecutionQueries,
  ) {}

  @MessagePattern(ListExecutions.subject)
  list(@Payload() query: DataOf<typeof ListExecutions>): Promise<ReplyOf<typeof ListExecutions>> {
    return this.queries.list(this.db.dataSource.manager, query);
  }

  @MessagePattern(GetExecution.subject)
  async get(@Payload() query: DataOf<typeof GetExecution>): Promise<ReplyOf<typeof GetExecution>> {
    const execution = await this.queries.get(this.db.dataSource.manager, query.executionId);
    return execution ? { found: true, execution } : { found: false };
  }
}
