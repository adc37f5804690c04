import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const KEPT_OUTPUT = 200_000;

/**
 * One replica of a service as it runs in production: `node services/<name>/dist/main.js` with its
 * environment, its output kept (the tail) for the failure messages of tests. It can be killed with
 * any signal and started again on the same port, as a supervisor would restart it.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null });
  private output = '';
  /** How many times it was started (1 after the first start). */
  starts = 0;

  constructor(
    readonly service: string,
    readonly replica: number,
    readonly port: number,
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  /** `gateway#0`, `builder#1`. */
  get id(): string {
    return `${this.service}#${this.replica}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last part of what it wrote on stdout and stderr, across restarts. */
  get log(): string {
    return this.output;
  }

  start(): void {
    if (this.running) throw new Error(`${this.id} is already running`);
    this.starts += 1;
    const child = spawn(process.execPath, [this.main], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-KEPT_OUTPUT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        keep(Buffer.from(`\n[${this.id} exited: ${signal ?? code}]\n`));
        resolve({ code, signal });
      }),
    );
    this.child = child;
  }

  /** Resolves once `/health` answers 200 (bus and database up). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.id} stopped while starting:\n${this.tail()}`);
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new Error(`${this.id} was not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `signal` and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (this.running) this.child?.kill(signal);
    return this.exited;
  }

  /** Resident memory in bytes (VmRSS of /proc/<pid>/status), or undefined when not running. */
  rss(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }

  tail(characters = 6_000): string {
    return this.output.slice(-characters);
  }
}
