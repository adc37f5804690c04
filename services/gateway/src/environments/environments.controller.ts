import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetEnvironments } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { ApplicationsService } from '../applications/applications.service.js';
import { RequireRole } from '../auth/access.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ask } from '../http/ask.js';

/** What runs where: the deployer keeps the releases, the gateway asks it. */
@ApiTags('applications')
@ApiBearerAuth()
@Controller('api/v1/applications/:name/environments')
export class EnvironmentsController {
  constructor(
    private readonly bus: BusClient,
    private readonly applications: ApplicationsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      "An application's environments with their server groups (version, image, replicas, health) and newest release (from the deployer)",
  })
  @ApiOkResponse({ standardSchema: GetEnvironments.replySchema })
  async list(@Param('name') name: string) {
    const application = await this.applications.get(name);
    return ask(
      this.bus,
      GetEnvironments,
      { application: application.name },
      'deployer',
      this.config.queryTimeoutMs,
    );
  }
}
