import { maskSecrets } from '@aviary/observability';
import { type Logger } from 'pino';
import { type NotifierConfig } from '../config/notifier-config.js';
import { BUSY, type ChannelSenders } from './channel-senders.js';
import { type ClaimedDelivery, DeliveryLog, type FinishedAttempt } from './delivery-log.js';
import { nextDelayMs, type SendOutcome } from './retry-policy.js';

/** How long a delivery waits when its Slack message is being updated by another one. */
const BUSY_DELAY_MS = 200;

export interface DispatcherHooks {
  /** A delivery reached delivered or dead (a notify stage may now report). */
  finished(delivery: ClaimedDelivery, status: 'delivered' | 'dead'): void;
}

/**
 * Sends what the delivery log holds: claims due deliveries, sends each on its own (at most
 * `targetConcurrency` at once per channel, so a dead channel keeps only its own slots), records
 * every attempt, and schedules retries with backoff and jitter, or dead-letters after the limit.
 */
export class Dispatcher {
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private recoverTimer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly unrecorded: Array<{
    attempt: FinishedAttempt;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(
    private readonly config: NotifierConfig,
    private readonly log: DeliveryLog,
    private readonly senders: ChannelSenders,
    private readonly logger: Logger,
    private readonly hooks: DispatcherHooks,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.recoverTimer = setInterval(
      () => {
        this.log.recoverExpired().then(
          (count) => count && this.poke(),
          () => undefined,
        );
      },
      Math.max(1000, Math.floor(this.config.delivery.leaseMs / 2)),
    );
    this.recoverTimer.unref();
  }

  /** Something is due now (an event was just logged, a slot freed). */
  poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.recoverTimer);
    this.poke();
    await this.loop;
    // Attempts under way finish and are recorded; nothing is left in `sending` needlessly.
    await Promise.allSettled([...this.active]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { concurrency, targetConcurrency, pollMs, leaseMs } = this.config.delivery;
    let failures = 0;
    while (this.running) {
      const free = concurrency - this.total;
      if (free <= 0) {
        await this.sleep(pollMs);
        continue;
      }
      const busy = [...this.inFlight].filter(([, n]) => n >= targetConcurrency).map(([target]) => target);
      let claimed: ClaimedDelivery[];
      try {
        claimed = await this.log.claim(Math.min(free, 64), busy, leaseMs);
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0)
          this.logger.warn({ err: error }, 'cannot claim deliveries; retrying');
        await this.sleep(Math.min(5000, pollMs * failures));
        continue;
      }
      for (const delivery of claimed) {
        if ((this.inFlight.get(delivery.target) ?? 0) >= targetConcurrency) {
          await this.log.release(delivery.id).catch(() => undefined);
          continue;
        }
        this.begin(delivery);
      }
      if (claimed.length === 0) await this.sleep(pollMs);
    }
  }

  private begin(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.target, (this.inFlight.get(delivery.target) ?? 0) + 1);
    this.total += 1;
    const work = this.attempt(delivery)
      .catch((error: unknown) =>
        this.logger.error({ err: error, deliveryId: delivery.id }, 'delivery attempt failed'),
      )
      .finally(() => {
        const left = (this.inFlight.get(delivery.target) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(delivery.target);
        else this.inFlight.set(delivery.target, left);
        this.total -= 1;
        this.active.delete(work);
        this.poke();
      });
    this.active.add(work);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    const started = performance.now();
    let outcome: SendOutcome | typeof BUSY;
    try {
      outcome = await this.senders.send(delivery);
    } catch (error) {
      outcome = { ok: false, retryable: true, error: maskSecrets((error as Error).message ?? String(error)) };
    }
    if (outcome === BUSY) {
      await this.log.release(delivery.id, BUSY_DELAY_MS);
      return;
    }
    if (outcome.error) outcome = { ...outcome, error: maskSecrets(outcome.error) };
    const attempt = delivery.attempts + 1;
    const retryInMs = nextDelayMs(this.config.delivery, attempt, outcome);
    const status = DeliveryLog.statusAfter(outcome, retryInMs);
    await this.record({
      delivery,
      outcome,
      status,
      startedAt,
      durationMs: performance.now() - started,
      retryInMs,
    });
    if (status === 'pending') {
      this.logger.info(
        { deliveryId: delivery.id, channel: delivery.target, attempt, retryInMs, error: outcome.error },
        'delivery failed; retrying',
      );
      return;
    }
    if (status === 'dead')
      this.logger.warn(
        { deliveryId: delivery.id, channel: delivery.target, attempt, error: outcome.error },
        'delivery dead-lettered',
      );
    this.hooks.finished(delivery, status);
  }

  /** Attempts that end together are written together; each caller waits for its own write. */
  private record(attempt: FinishedAttempt): Promise<void> {
    return new Promise((resolve, reject) => {
      this.unrecorded.push({ attempt, resolve, reject });
      if (this.unrecorded.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.unrecorded.splice(0, 500);
    if (batch.length === 0) return;
    try {
      await this.log.finish(batch.map((b) => b.attempt));
      for (const b of batch) b.resolve();
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
    if (this.unrecorded.length > 0) setImmediate(() => void this.flush());
  }
}
