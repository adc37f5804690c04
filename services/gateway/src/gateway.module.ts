import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { type ServiceContext } from '@aviary/runtime';
import { ApplicationsController } from './applications/applications.controller.js';
import { ApplicationsService } from './applications/applications.service.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { AuditService } from './audit/audit.service.js';
import { AccessGuard } from './auth/access.guard.js';
import { ADMIN_TOKEN_OUTPUT, AdminBootstrap, type TextOutput } from './auth/admin-bootstrap.js';
import { InfrastructureRoutes } from './auth/infrastructure-routes.js';
import { TokensController } from './auth/tokens.controller.js';
import { TokensService } from './auth/tokens.service.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway-config.js';
import { WEBHOOK_METRICS, WebhookService } from './webhooks/webhook.service.js';
import { WebhookMetrics } from './webhooks/webhook-metrics.js';
import { DeliveryLog } from './webhooks/delivery-log.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { EventsController } from './events/events.controller.js';
import { ExecutionsController } from './executions/executions.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { SlackController } from './slack/slack.controller.js';
import { EnvironmentsController } from './environments/environments.controller.js';
import { SessionController } from './session/session.controller.js';
import { WebUiController } from './web-ui/web-ui.controller.js';

export interface GatewayModuleOptions {
  config: GatewayConfig;
  context: ServiceContext;
  /** Where a generated first admin token is printed (standard output). */
  adminTokenOutput: TextOutput;
}

/** The gateway: webhooks in, the REST API, live events out, behind authentication. */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [DiscoveryModule],
      controllers: [
        WebhooksController,
        ApplicationsController,
        ExecutionsController,
        ReportsController,
        EventsController,
        TokensController,
        AuditController,
        SlackController,
        NotificationsController,
        EnvironmentsController,
        SessionController,
        // Last: its catch-all path must not shadow the API's.
        WebUiController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: options.config },
        { provide: WEBHOOK_METRICS, useValue: new WebhookMetrics(options.context.metrics) },
        { provide: ADMIN_TOKEN_OUTPUT, useValue: options.adminTokenOutput },
        { provide: APP_GUARD, useClass: AccessGuard },
        AuditInterceptor,
        ApplicationsService,
        TokensService,
        AuditService,
        WebhookService,
        DeliveryLog,
        AdminBootstrap,
        InfrastructureRoutes,
      ],
    };
  }
}
