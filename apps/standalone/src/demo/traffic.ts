import { setTimeout as sleep } from 'node:timers/promises';

export interface TrafficStats {
  sent: number;
  ok: number;
  failed: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Users of the sample app, as the canary needs them: requests at a steady rate on the application's
 * production address (its proxy shares them between production, baseline and canary), a mix of
 * reads and writes on `/flags`. Bounded: a fixed rate, a cap on requests in flight, a timeout each,
 * and only ever to this machine.
 */
export class Traffic {
  readonly stats: TrafficStats = { sent: 0, ok: 0, failed: 0 };
  private readonly stop = new AbortController();
  private readonly running: Promise<void>;
  private inFlight = 0;

  constructor(
    private readonly endpoint: string,
    private readonly options: { perSecond: number; maxInFlight?: number } = { perSecond: 30 },
  ) {
    const host = new URL(endpoint).hostname;
    if (!LOOPBACK.has(host) && host !== '::1')
      throw new Error(`the demo only sends traffic to this machine, not to ${endpoint}`);
    this.running = this.loop();
  }

  async close(): Promise<TrafficStats> {
    this.stop.abort();
    await this.running;
    return this.stats;
  }

  private async loop(): Promise<void> {
    const gap = 1000 / this.options.perSecond;
    const maxInFlight = this.options.maxInFlight ?? 64;
    let next = Date.now();
    for (let n = 0; !this.stop.signal.aborted; n++) {
      if (this.inFlight < maxInFlight) void this.request(n);
      next += gap;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: this.stop.signal }).catch(() => undefined);
      else next = Date.now();
    }
  }

  private async request(n: number): Promise<void> {
    this.inFlight += 1;
    this.stats.sent += 1;
    const write = n % 10 === 0;
    try {
      const response = await fetch(new URL('/flags', this.endpoint), {
        method: write ? 'POST' : 'GET',
        ...(write
          ? {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: `demo-${n}`, enabled: n % 20 === 0 }),
            }
          : {}),
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
      if (response.status < 500) this.stats.ok += 1;
      else this.stats.failed += 1;
    } catch {
      this.stats.failed += 1;
    } finally {
      this.inFlight -= 1;
    }
  }
}
