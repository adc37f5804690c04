import { Database } from '@aviary/persistence';
import { type DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type OrchestratorConfig } from './config/orchestrator-config.js';
import { CommandsController } from './executions/commands.controller.js';
import { ExecutionCoordinator } from './executions/execution-coordinator.js';
import { QueriesController } from './executions/queries.controller.js';
import { StageEventsController } from './executions/stage-events.controller.js';
import { ORCHESTRATOR_CONFIG, PIPELINE_LANGUAGE } from './executions/tokens.js';
import { SpecLanguage } from './pipelines/spec-language.js';
import { ExecutionQueries } from './store/execution-queries.js';
import { ExecutionStore } from './store/execution-store.js';
import { TimerRunner } from './timers/timer-runner.js';
import { Watchdog } from './timers/watchdog.js';
import { Wakeup } from './timers/wakeup.js';

/** Executions: triggers, the stage state machine, timers, the watchdog, and the gateway's queries. */
@Module({})
export class OrchestratorModule {
  static forRoot(config: OrchestratorConfig): DynamicModule {
    const replica = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    return {
      module: OrchestratorModule,
      controllers: [StageEventsController, CommandsController, QueriesController],
      providers: [
        { provide: ORCHESTRATOR_CONFIG, useValue: config },
        { provide: PIPELINE_LANGUAGE, useClass: SpecLanguage },
        {
          provide: ExecutionStore,
          inject: [Database],
          useFactory: (db: Database) => new ExecutionStore(db.schema, replica),
        },
        { provide: Wakeup, useValue: new Wakeup() },
        ExecutionQueries,
        ExecutionCoordinator,
        TimerRunner,
        Watchdog,
      ],
    };
  }
}
