import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type BusHealth } from '../bus.js';
import { BusUnavailableError, errorMessage } from '../errors.js';
import { type BusSettings } from '../options.js';

export interface NatsLink {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** Work that must be done on every (re)connection before the bus is usable, e.g. creating streams. */
export interface SetupStep {
  name: string;
  run(link: NatsLink): Promise<void>;
}

type State = 'connecting' | 'connected' | 'disconnected' | 'closed';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;
const DRAIN_TIMEOUT_MS = 5000;

/**
 * Owns the NATS connection of one bus. It connects in the background (a NATS that is down never
 * blocks start-up) and retries until it succeeds or the bus closes; our own loop rather than
 * `waitOnFirstConnect` because `close()` must be able to stop it. Once connected, nats.js reconnects
 * by itself (without limit); after every (re)connection the setup steps run again, because a
 * restarted server may have lost streams and consumers.
 */
export class NatsConnector {
  private state: State = 'connecting';
  private link: NatsLink | undefined;
  private attempts = 0;
  private lastError = '';
  private readonly steps: SetupStep[] = [];
  private readonly done = new Set<string>();
  private stepError: { step: string; error: string } | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private setupTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(state: State) => void>();
  private closing: Promise<void> | undefined;

  constructor(private readonly settings: BusSettings) {}

  start(): void {
    void this.connectLoop();
  }

  /** Adds a step, run now if connected and after every reconnection. */
  addStep(step: SetupStep): void {
    this.steps.push(step);
    this.setUp();
  }

  onStateChange(listener: (state: State) => void): void {
    this.listeners.add(listener);
  }

  /** The link if connected and the given steps have succeeded, without waiting (the publish fast path). */
  ready(steps: readonly string[] = []): NatsLink | undefined {
    return this.state === 'connected' && steps.every((step) => this.done.has(step)) ? this.link : undefined;
  }

  /** The link, once connected and the given steps have succeeded at least once; waits up to `timeoutMs`. */
  async usable(timeoutMs: number, steps: readonly string[] = []): Promise<NatsLink> {
    const ready = () => this.ready(steps) !== undefined;
    if (ready()) return this.link!;
    if (this.state === 'closed') throw new BusUnavailableError('the bus is closed');
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.state === 'closed') finish(new BusUnavailableError('the bus is closed'));
        else if (ready()) finish();
      };
      const timer = setTimeout(
        () => finish(new BusUnavailableError(`bus not ready after ${timeoutMs}ms: ${this.health().detail}`)),
        timeoutMs,
      );
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
    });
    return this.link!;
  }

  /** The current link if connected, for work that must not wait (consume loops check it). */
  current(): NatsLink | undefined {
    return this.state === 'connected' ? this.link : undefined;
  }

  health(): BusHealth {
    const servers = this.settings.servers.join(',');
    switch (this.state) {
      case 'closed':
        return { ready: false, detail: 'closed' };
      case 'connecting':
        return {
          ready: false,
          detail: this.attempts
            ? `cannot reach NATS at ${servers} (attempt ${this.attempts}: ${this.lastError}); retrying`
            : `connecting to NATS at ${servers}`,
        };
      case 'disconnected':
        return { ready: false, detail: `connection to NATS at ${servers} lost; reconnecting` };
      case 'connected': {
        if (this.stepError)
          return {
            ready: false,
            detail: `connected to ${servers}, but ${this.stepError.step} failed: ${this.stepError.error}; retrying`,
          };
        const pending = this.steps.filter((step) => !this.done.has(step.name));
        if (pending.length > 0)
          return { ready: false, detail: `connected to ${servers}; setting up ${pending[0]!.name}` };
        return {
          ready: true,
          detail: `connected to ${servers}; ${this.steps.map((s) => s.name).join(', ')} ready`,
        };
      }
    }
  }

  /** Runs the setup steps again (a consumer or stream disappeared); coalesces concurrent calls. */
  setUp(): void {
    if (this.state !== 'connected' || !this.link) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    const link = this.link;
    this.running = this.runSteps(link).finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.setUp();
      }
    });
  }

  /** Drains the connection: buffered acks and publishes are flushed before it closes. */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const link = this.link;
    const wasConnected = this.state === 'connected';
    this.setState('closed');
    clearTimeout(this.retryTimer);
    clearTimeout(this.setupTimer);
    await this.running;
    if (!link || link.nc.isClosed()) return;
    if (wasConnected) {
      // A drain waits for the server; if it went away meanwhile, close without it.
      let timer: NodeJS.Timeout | undefined;
      const drained = link.nc.drain().then(
        () => true,
        (error: unknown) => {
          this.settings.logger.warn({ error: errorMessage(error) }, 'NATS connection did not drain cleanly');
          return false;
        },
      );
      const timedOut = new Promise<false>(
        (resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS, false)),
      );
      await Promise.race([drained, timedOut]);
      clearTimeout(timer);
    }
    if (!link.nc.isClosed()) await link.nc.close();
  }

  private async connectLoop(): Promise<void> {
    const { servers, service, logger } = this.settings;
    let delay = FIRST_RETRY_MS;
    while (!this.closed()) {
      this.attempts += 1;
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers,
          name: `aviary-${service}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          // Async traces build an Error with a stack for every request (each publish): costly, and
          // our errors name the subject and the cause anyway.
          noAsyncTraces: true,
        });
      } catch (error) {
        this.lastError = errorMessage(error);
        if (this.attempts === 1)
          logger.warn({ servers, error: this.lastError }, 'NATS not reachable; retrying');
        this.notify();
        if (this.closed()) return;
        await new Promise<void>((resolve) => (this.retryTimer = setTimeout(resolve, delay)));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
        continue;
      }
      if (this.closed()) {
        await nc.close();
        return;
      }
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      this.link = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc, { checkAPI: false }) };
      this.attempts = 0;
      delay = FIRST_RETRY_MS;
      void this.watch(nc);
      this.setState('connected');
      this.setUp();
      const closed = await nc.closed();
      if (this.closed()) return;
      // Reconnection is unlimited, so this is rare (an authorization error, say): start over.
      logger.error(
        { error: closed ? errorMessage(closed) : 'closed' },
        'NATS connection closed; connecting again',
      );
      this.link = undefined;
      this.setState('connecting');
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.state === 'closed') return;
      if (status.type === 'disconnect') {
        this.settings.logger.warn('disconnected from NATS; reconnecting');
        // Ready again only once the setup has been checked on the server we reconnect to.
        this.done.clear();
        this.setState('disconnected');
      } else if (status.type === 'reconnect') {
        this.settings.logger.info({ server: nc.getServer() }, 'reconnected to NATS');
        this.setState('connected');
        this.setUp();
      }
    }
  }

  private async runSteps(link: NatsLink): Promise<void> {
    for (const step of [...this.steps]) {
      if (this.state !== 'connected' || this.link !== link) return;
      try {
        await step.run(link);
        this.settings.logger.debug({ step: step.name }, 'bus setup done');
        this.done.add(step.name);
        this.stepError = undefined;
      } catch (error) {
        this.stepError = { step: step.name, error: errorMessage(error) };
        this.settings.logger.error(
          { step: step.name, error: this.stepError.error },
          'bus setup failed; retrying',
        );
        clearTimeout(this.setupTimer);
        this.setupTimer = setTimeout(() => this.setUp(), MAX_RETRY_MS).unref();
        this.notify();
        return;
      }
      this.notify();
    }
  }

  /** A method, not a field test, so the compiler does not narrow it across awaits. */
  private closed(): boolean {
    return this.state === 'closed';
  }

  private setState(state: State): void {
    this.state = state;
    this.settings.metrics.setConnected(this.health().ready);
    for (const listener of this.listeners) listener(state);
    this.notify();
  }

  private notify(): void {
    this.settings.metrics.setConnected(this.health().ready);
    for (const waiter of [...this.waiters]) waiter();
  }
}
