import { Database, DatabaseUnavailableError } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Logger } from 'pino';
import { type OrchestratorConfig } from '../config/orchestrator-config.js';
import { ExecutionCoordinator } from '../executions/execution-coordinator.js';
import { ORCHESTRATOR_CONFIG } from '../executions/tokens.js';
import { ExecutionStore, type DueTimer } from '../store/execution-store.js';
import { Wakeup } from './wakeup.js';

const BATCH = 100;
const PARALLEL = 8;

/**
 * Fires due timers: stage timeouts (which fire whether or not the worker is alive), retries, waits,
 * judgment expiry, pipeline timeouts, reads of the pipeline and queue hand-overs. Timers live in the
 * database, so a restarted or another replica fires what a dead one left; each is taken in the
 * transaction of its effect, so it fires once.
 */
@Injectable()
export class TimerRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly store: ExecutionStore,
    private readonly coordinator: ExecutionCoordinator,
    private readonly wakeup: Wakeup,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wakeup.interrupt();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let sleepMs = this.config.timerPollMs;
      try {
        const due = await this.store.dueTimers(this.db.dataSource.manager, BATCH);
        await this.fireAll(due);
        if (due.length === BATCH) continue;
        const next = await this.store.nextDue(this.db.dataSource.manager);
        if (next) sleepMs = Math.max(0, Math.min(sleepMs, next.getTime() - Date.now()));
      } catch (error) {
        if (!(error instanceof DatabaseUnavailableError))
          this.logger.warn({ err: error }, 'timer round failed; trying again');
      }
      if (!this.stopping) await this.wakeup.sleep(sleepMs);
    }
  }

  private async fireAll(due: DueTimer[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < due.length && !this.stopping) {
        const timer = due[next++]!;
        try {
          await this.coordinator.fire(timer);
        } catch (error) {
          this.logger.warn({ err: error, timer }, 'timer failed; it fires again at the next round');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, due.length) }, lane));
  }
}
