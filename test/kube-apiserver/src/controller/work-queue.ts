/**
 * Keys to reconcile, each at most once per turn of the event loop: store events arrive synchronously
 * inside writes, so controllers never write while another write is still being published.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(private readonly process: (key: string) => void) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.pending.clear();
  }

  private flush(): void {
    this.scheduled = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      try {
        this.process(key);
      } catch (error) {
        // A controller bug must not take the server down; it shows up as a stuck rollout in the test.
        console.error(`kube-apiserver controller failed on ${key}:`, error);
      }
    }
  }
}

/** Timers that all go away when the server closes. */
export class Timers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  set(key: string, delayMs: number, run: () => void, repeat = false): void {
    this.clear(key);
    const timer = repeat
      ? setInterval(run, delayMs)
      : setTimeout(() => {
          this.timers.delete(key);
          run();
        }, delayMs);
    this.timers.set(key, timer);
  }

  has(key: string): boolean {
    return this.timers.has(key);
  }

  clear(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  clearPrefix(prefix: string): void {
    for (const key of [...this.timers.keys()]) if (key.startsWith(prefix)) this.clear(key);
  }

  clearAll(): void {
    for (const key of [...this.timers.keys()]) this.clear(key);
  }
}
