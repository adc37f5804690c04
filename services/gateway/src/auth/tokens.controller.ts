import { Body, Controller, UseInterceptors, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AuditInterceptor } from '../audit/audit.interceptor.js';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireRole, type Principal } from './access.js';
import { Caller } from './request-principal.js';
import { TokensService } from './tokens.service.js';

const CreateTokenBody = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'letters, digits, ".", "_", "@" and "-"'),
  role: z.enum(['viewer', 'deployer', 'admin']),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('when the token stops working'),
});
type CreateTokenBody = z.infer<typeof CreateTokenBody>;

const TokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(['viewer', 'deployer', 'admin']),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});

@ApiTags('tokens')
@ApiBearerAuth()
@UseInterceptors(AuditInterceptor)
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @RequireRole('admin')
  @ApiCreatedResponse({ standardSchema: TokenView.extend({ token: z.string().describe('shown this once') }) })
  create(@Body({ schema: CreateTokenBody }) body: CreateTokenBody, @Caller() caller: Principal) {
    return this.tokens.create(
      {
        name: body.name,
        role: body.role,
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
      },
      caller.name,
    );
  }

  @Get()
  @RequireRole('admin')
  @ApiOkResponse({ standardSchema: z.object({ tokens: z.array(TokenView) }) })
  async list() {
    return { tokens: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  async revoke(@Param('id', { schema: z.uuid() }) id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}
