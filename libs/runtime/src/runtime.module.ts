import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Bus, BusClient } from '@aviary/messaging';
import { Database, type OutboxRelay } from '@aviary/persistence';
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
 * Closes what the service opened, after Nest has stopped the HTTP server and drained the transport
 * (in-flight handlers finish and ack first), so no handler loses its database or bus mid-way.
 */
@Injectable()
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RUNTIME) private readonly parts: RuntimeParts) {}

  async onApplicationShutdown(): Promise<void> {
    const { relay, bus, database, logger } = this.parts;
    await relay.stop();
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
        RuntimeLifecycle,
      ],
      exports: [SERVICE_CONFIG, LOGGER, BusClient, Database],
    };
  }
}
