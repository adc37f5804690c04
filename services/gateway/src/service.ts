import { type ServiceContext, type ServiceDefinition } from '@aviary/runtime';
import { ApplicationEntity } from './applications/application.entity.js';
import { AuditRecordEntity } from './audit/audit-record.entity.js';
import { ApiTokenEntity } from './auth/api-token.entity.js';
import { type TextOutput } from './auth/admin-bootstrap.js';
import { loadGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
import { gatewayMigrations } from './database/gateway.migrations.js';
import { GatewayModule } from './gateway.module.js';
import { configureHttp } from './http/http-setup.js';
import { setUpOpenApi } from './http/openapi.js';
import { WebhookDeliveryEntity } from './webhooks/webhook-delivery.entity.js';

export interface GatewayServiceOptions {
  /** Where a generated first admin token is printed; standard output by default. */
  adminTokenOutput?: TextOutput;
}

/** The gateway as the runtime starts it; tests give their own output to read the first admin token. */
export function createGatewayService(options: GatewayServiceOptions = {}): ServiceDefinition {
  const configs = new WeakMap<ServiceContext, GatewayConfig>();
  const configOf = (context: ServiceContext) => {
    let config = configs.get(context);
    if (!config) {
      config = loadGatewayConfig(context.env);
      configs.set(context, config);
    }
    return config;
  };
  return {
    name: 'gateway',
    entities: [ApplicationEntity, ApiTokenEntity, AuditRecordEntity, WebhookDeliveryEntity],
    migrations: gatewayMigrations,
    http: (context) => {
      const config = configOf(context);
      return { bodyLimit: config.webhookMaxBytes, trustProxy: config.trustProxy };
    },
    moduleFor: (context) => {
      const config = configOf(context);
      if (config.secretKeyIsDevDefault)
        context.logger.warn(
          `AVIARY_SECRET_KEY is not set: webhook secrets are encrypted with the built-in ${config.mode} key, which is public. Never use this outside development and tests.`,
        );
      return GatewayModule.forRoot({
        config,
        context,
        adminTokenOutput: options.adminTokenOutput ?? process.stdout,
      });
    },
    configure: async (app, context) => {
      await configureHttp(app, configOf(context), context.logger);
      setUpOpenApi(app);
    },
  };
}

export const gatewayService: ServiceDefinition = createGatewayService();
