import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApplicationName,
  DeliveryStatus,
  GetNotificationSettings,
  Id,
  ListDeliveries,
  NotificationSettings,
  SetNotificationSettings,
} from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { z } from 'zod';
import { ApplicationsService } from '../applications/applications.service.js';
import { AuditInterceptor } from '../audit/audit.interceptor.js';
import { RequireRole, type Principal } from '../auth/access.js';
import { Caller } from '../auth/request-principal.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ask } from '../http/ask.js';

const DeliveriesQuery = z.strictObject({
  application: ApplicationName.optional(),
  executionId: Id.optional(),
  status: z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim().toLowerCase()))
    .pipe(z.array(DeliveryStatus).min(1))
    .optional()
    .describe('one or more statuses, comma-separated (dead,pending)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});
type DeliveriesQuery = z.infer<typeof DeliveriesQuery>;

const Accepted = z.object({ status: z.literal('accepted'), message: z.string() });

/**
 * An application's notification settings (kept by the notifier, beside the pipeline file's
 * `notifications:`) and the notifier's delivery log with every attempt.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@UseInterceptors(AuditInterceptor)
@Controller('api/v1')
export class NotificationsController {
  constructor(
    private readonly bus: BusClient,
    private readonly applications: ApplicationsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('applications/:name/notifications')
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      "The application's notification settings set through the API, and what the notifier lacks to serve them",
  })
  @ApiOkResponse({ standardSchema: GetNotificationSettings.replySchema })
  async get(@Param('name') name: string) {
    const application = await this.applications.get(name);
    return ask(
      this.bus,
      GetNotificationSettings,
      { application: application.name },
      'notifier',
      this.config.queryTimeoutMs,
    );
  }

  @Put('applications/:name/notifications')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Replace the notification settings: channels, subscriptions by event, templates' })
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async put(
    @Param('name') name: string,
    @Body({ schema: NotificationSettings }) settings: NotificationSettings,
    @Caller() caller: Principal,
  ) {
    const application = await this.applications.get(name);
    await this.bus.publish(SetNotificationSettings, {
      application: application.name,
      settings,
      user: caller.name,
    });
    return {
      status: 'accepted' as const,
      message: `notification settings of ${application.name} sent to the notifier`,
    };
  }

  @Delete('applications/:name/notifications')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: "Remove the settings set through the API (the pipeline file's still apply)" })
  @ApiAcceptedResponse({ standardSchema: Accepted })
  async remove(@Param('name') name: string, @Caller() caller: Principal) {
    const application = await this.applications.get(name);
    await this.bus.publish(SetNotificationSettings, {
      application: application.name,
      settings: null,
      user: caller.name,
    });
    return {
      status: 'accepted' as const,
      message: `notification settings of ${application.name} removal sent to the notifier`,
    };
  }

  @Get('notifications/deliveries')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Deliveries, newest first, with every attempt (status code, error, Retry-After)' })
  @ApiOkResponse({ standardSchema: ListDeliveries.replySchema })
  deliveries(@Query({ schema: DeliveriesQuery }) query: DeliveriesQuery) {
    return ask(this.bus, ListDeliveries, query, 'notifier', this.config.queryTimeoutMs);
  }
}
