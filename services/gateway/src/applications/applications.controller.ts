import { Body, Controller, UseInterceptors, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { AuditInterceptor } from '../audit/audit.interceptor.js';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiCreatedResponse,
  ApiTags,
  ApiNoContentResponse,
} from '@nestjs/swagger';
import { RequireRole, type Principal } from '../auth/access.js';
import { Caller } from '../auth/request-principal.js';
import {
  ApplicationList,
  ApplicationView,
  CreateApplicationBody,
  CreatedApplicationView,
  UpdateApplicationBody,
} from './application.schemas.js';
import { ApplicationsService } from './applications.service.js';

@ApiTags('applications')
@ApiBearerAuth()
@UseInterceptors(AuditInterceptor)
@Controller('api/v1/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @RequireRole('admin')
  @ApiCreatedResponse({
    standardSchema: CreatedApplicationView,
    description: 'the webhook secret is in this answer only',
  })
  create(@Body({ schema: CreateApplicationBody }) body: CreateApplicationBody, @Caller() caller: Principal) {
    return this.applications.create(body, caller.name);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ standardSchema: ApplicationList })
  async list() {
    return { applications: await this.applications.list() };
  }

  @Get(':name')
  @RequireRole('viewer')
  @ApiOkResponse({ standardSchema: ApplicationView })
  get(@Param('name') name: string) {
    return this.applications.get(name);
  }

  @Patch(':name')
  @RequireRole('admin')
  @ApiOkResponse({ standardSchema: ApplicationView })
  update(@Param('name') name: string, @Body({ schema: UpdateApplicationBody }) body: UpdateApplicationBody) {
    return this.applications.update(name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiNoContentResponse()
  async remove(@Param('name') name: string): Promise<void> {
    await this.applications.remove(name);
  }
}
