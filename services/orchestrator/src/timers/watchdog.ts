import { Database, DatabaseUnavailableError } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Logger } from 'pino';
import { type OrchestratorConfig } from '../config/orchestrator-config.js';
import { ExecutionCoordinator } from '../executions/execution-coordinator.js';
import { ORCHESTRATOR_CONFIG } from '../executions/tokens.js';
import { ExecutionStore } from '../store/execution-store.js';

const BATCH = 50;

/**
 * The last line of defence against executions stuck RUNNING: every interval it looks for executions
 * that have gone past the moment something should have happened (their latest stage deadline, their
 * pipeline timeout) plus a grace, schedules them again, and ends TERMINAL those that still do not
 * move, saying what was overdue. It also puts back queue hand-overs and pipeline reads whose timers
 * were lost.
 */
@Injectable()
export class Watchdog implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly store: ExecutionStore,
    private readonly coordinator: ExecutionCoordinator,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.config.watchdogIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<void> {
    try {
      const overdue = await this.store.overdue(this.db.dataSource.manager, BATCH);
      for (const id of overdue) {
        const outcome = await this.coordinator.watchdog(id);
        if (outcome?.applied) this.logger.warn({ executionId: id }, 'watchdog acted on an overdue execution');
      }
      await this.coordinator.repairOrphans();
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError))
        this.logger.warn({ err: error }, 'watchdog sweep failed');
    }
  }
}
