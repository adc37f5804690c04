import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireRole } from '../auth/access.js';
import { AuditService } from './audit.service.js';

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().regex(/^\d+$/, 'a record id').optional().describe('records older than this id (paging)'),
  actor: z.string().min(1).optional(),
});
type AuditQuery = z.infer<typeof AuditQuery>;

const AuditRecord = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  via: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  status: z.int(),
  outcome: z.enum(['succeeded', 'failed', 'denied']),
  sourceAddress: z.string(),
  userAgent: z.string().nullable(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('admin')
  @ApiOkResponse({
    standardSchema: z.object({ records: z.array(AuditRecord), nextBefore: z.string().optional() }),
  })
  async list(@Query({ schema: AuditQuery }) query: AuditQuery) {
    const records = await this.audit.list(query);
    const last = records.at(-1);
    return { records, ...(records.length === query.limit && last ? { nextBefore: last.id } : {}) };
  }
}
