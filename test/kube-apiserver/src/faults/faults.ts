import { type ApiError, injectedFailure } from '../api/errors.js';

/** Which requests a fault applies to: a substring or pattern of the request path (with its query), a method. */
export interface RequestMatcher {
  path?: string | RegExp;
  method?: string;
}

interface ErrorFault extends RequestMatcher {
  status: number;
  remaining?: number;
  percent?: number;
}

interface DelayFault extends RequestMatcher {
  delayMs: number;
}

interface WatchDropFault extends RequestMatcher {
  afterEvents: number;
}

interface OpenWatch {
  url: string;
  close(): void;
  /** Events this watch may still send before it is dropped. */
  remaining?: number;
}

function matches(m: RequestMatcher, method: string, url: string): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path instanceof RegExp) {
    m.path.lastIndex = 0;
    return m.path.test(url);
  }
  return m.path === undefined || url.includes(m.path);
}

/**
 * Fault injection for tests: bursts of 5xx answers (the next N matching requests, or a share of them),
 * slow answers, and watch connections closed now or after N events. Faults stay until reset().
 */
export class Faults {
  private errors: ErrorFault[] = [];
  private delays: DelayFault[] = [];
  private watchDrops: WatchDropFault[] = [];
  private readonly watches = new Set<OpenWatch>();

  /** The next `count` matching requests answer `status` (default 500) with a Kubernetes Status body. */
  failNext(count: number, options: RequestMatcher & { status?: number } = {}): void {
    this.errors.push({ ...options, status: options.status ?? 500, remaining: count });
  }

  /** `percent` % of matching requests (chosen at random) answer `status` (default 500), until reset(). */
  failPercent(percent: number, options: RequestMatcher & { status?: number } = {}): void {
    this.errors.push({ ...options, status: options.status ?? 500, percent });
  }

  /** Matching requests wait `delayMs` before they are answered, until reset(). */
  slow(delayMs: number, options: RequestMatcher = {}): void {
    this.delays.push({ ...options, delayMs });
  }

  /**
   * Without `afterEvents`: closes the matching open watches now and says how many. With it: every
   * matching watch, open now or opened later, is closed after sending that many more events, until reset().
   */
  dropWatches(options: RequestMatcher & { afterEvents?: number } = {}): number {
    const open = [...this.watches].filter((w) => matches(options, 'GET', w.url));
    if (options.afterEvents === undefined) {
      for (const watch of open) watch.close();
      return open.length;
    }
    this.watchDrops.push({ ...options, afterEvents: options.afterEvents });
    for (const watch of open) watch.remaining = Math.min(watch.remaining ?? Infinity, options.afterEvents);
    return open.length;
  }

  /** How many watch connections are open (matching `options`). */
  openWatches(options: RequestMatcher = {}): number {
    return [...this.watches].filter((w) => matches(options, 'GET', w.url)).length;
  }

  reset(): void {
    this.errors = [];
    this.delays = [];
    this.watchDrops = [];
  }

  /** Server side: waits out any delay, then returns the injected failure this request gets, if any. */
  async intercept(method: string, url: string): Promise<ApiError | undefined> {
    const delay = this.delays.filter((d) => matches(d, method, url)).reduce((sum, d) => sum + d.delayMs, 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    for (const fault of this.errors) {
      if (!matches(fault, method, url)) continue;
      if (fault.remaining !== undefined && fault.remaining > 0) {
        fault.remaining--;
        return injectedFailure(fault.status);
      }
      if (fault.percent !== undefined && Math.random() * 100 < fault.percent)
        return injectedFailure(fault.status);
    }
    this.errors = this.errors.filter((f) => f.remaining === undefined || f.remaining > 0);
    return undefined;
  }

  /** Server side: a watch opened; call `sent` after each event and `closed` when it ends. */
  watchOpened(url: string, close: () => void): { sent(): void; closed(): void } {
    const drops = this.watchDrops.filter((d) => matches(d, 'GET', url)).map((d) => d.afterEvents);
    const watch: OpenWatch = { url, close, ...(drops.length > 0 ? { remaining: Math.min(...drops) } : {}) };
    this.watches.add(watch);
    return {
      sent: () => {
        if (watch.remaining === undefined) return;
        watch.remaining--;
        if (watch.remaining <= 0) watch.close();
      },
      closed: () => this.watches.delete(watch),
    };
  }
}
