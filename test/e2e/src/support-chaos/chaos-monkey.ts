import { type Platform, type ServiceProcess } from '@aviary/test-support';

export interface Kill {
  at: number;
  process: string;
  /** How long it took to be ready again. */
  downMs: number;
}

/**
 * Kills a random service process with SIGKILL every `minMs`..`maxMs` and starts it again (waiting
 * until it is ready), as a crashing node and its supervisor would, until stopped or `untilMs` has
 * passed. The victims come from seeded shuffles of all the processes, so that a run of a few dozen
 * seconds hits every service. One process at a time: the next kill waits for the last one to be back.
 */
export class ChaosMonkey {
  readonly kills: Kill[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly platform: Platform,
    private readonly random: () => number,
    private readonly options: { minMs: number; maxMs: number; untilMs: number; started?: number },
  ) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  /** Seeded shuffles of every process, drawn one by one: each is killed once before any twice. */
  private bag: ServiceProcess[] = [];

  private shuffled(processes: ServiceProcess[]): ServiceProcess[] {
    const bag = [...processes];
    for (let i = bag.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [bag[i], bag[j]] = [bag[j]!, bag[i]!];
    }
    return bag;
  }

  private async run(): Promise<void> {
    const started = this.options.started ?? Date.now();
    while (!this.stopped && Date.now() - started < this.options.untilMs) {
      const pause =
        this.options.minMs + Math.floor(this.random() * (this.options.maxMs - this.options.minMs));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pause);
      });
      if (this.stopped) return;
      if (this.bag.length === 0) this.bag = this.shuffled(this.platform.processes);
      const victim: ServiceProcess = this.bag.pop()!;
      const at = Date.now();
      await this.platform.restart(victim, 'SIGKILL');
      this.kills.push({ at: at - started, process: victim.id, downMs: Date.now() - at });
    }
  }
}
