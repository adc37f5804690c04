/**
 * Lets whoever commits a timer wake the loop that fires timers, so that a retry due in 100 ms fires
 * in 100 ms rather than at the next poll.
 */
export class Wakeup {
  private sleeping: { resolve: () => void; timer: NodeJS.Timeout; untilMs: number } | undefined;
  private pendingMs = Number.POSITIVE_INFINITY;

  at(when: Date): void {
    const ms = when.getTime();
    if (!this.sleeping) {
      this.pendingMs = Math.min(this.pendingMs, ms);
      return;
    }
    if (ms >= this.sleeping.untilMs) return;
    const { resolve, timer } = this.sleeping;
    clearTimeout(timer);
    this.sleeping.untilMs = ms;
    this.sleeping.timer = setTimeout(resolve, Math.max(0, ms - Date.now()));
  }

  now(): void {
    this.at(new Date());
  }

  /** Sleeps `ms`, or less if a wake-up comes (or came while awake). */
  sleep(ms: number): Promise<void> {
    const untilMs = Math.min(Date.now() + ms, this.pendingMs);
    this.pendingMs = Number.POSITIVE_INFINITY;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { resolve: done, timer: setTimeout(done, Math.max(0, untilMs - Date.now())), untilMs };
    });
  }

  /** Ends a sleep at once (shutdown). */
  interrupt(): void {
    if (!this.sleeping) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.resolve();
  }
}
