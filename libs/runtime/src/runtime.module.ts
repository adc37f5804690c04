import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Bus, BusClient } from '@aviary/messaging';
import { Database, OutboxRelay } from '@aviary/persistence';
import { type Logger } from 'pino';
import { type ServiceConfig } from './config/service-config.js';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');
const RUNTIME = Symbol('RUNTIME');

export interface RuntimeParts {
  config: ServiceConfig;
  bus: Bus;
  database: Database;
  relay: OutboxRelay;
  logger: Logger;
}

/**
 * Closes what the service opened. The outbox relay stops before Nest closes the transport (which
 * drains the NATS connection); rows written by handlers still in flight stay in the outbox and are
 * relayed by another replica or at the next start. The bus and the database close last, after
 * in-flight handlers have finished and acknowledged, so no handler loses them mid-way.
 */
@Injectable()
class RuntimeLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(RUNTIME) private readonly parts: RuntimeParts) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.parts.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    const { bus, database, logger } = this.parts;
    await bus.close();
    await database.close();
    logger.info('stopped');
  }
}

/**
 * The infrastructure every feature module of a service uses: its configuration, the bus client, its
 * database and its logger. Global on purpose, like Nest's ConfigModule and TypeORM's core module:
 * there is exactly one per service application and every feature needs it.
 */
@Module({})
export class RuntimeModule {
  static forService(parts: RuntimeParts): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      providers: [
        { provide: RUNTIME, useValue: parts },
        { provide: SERVICE_CONFIG, useValue: parts.config },
        { provide: LOGGER, useValue: parts.logger },
        { provide: BusClient, useValue: parts.bus.client },
        { provide: Database, useValue: parts.database },
        // To poke after a commit that enqueued messages, so they leave now rather than at the next poll.
        { provide: OutboxRelay, useValue: parts.relay },
        RuntimeLifecycle,
      ],
      exports: [SERVICE_CONFIG, LOGGER, BusClient, Database, OutboxRelay],
    };
  }
}
