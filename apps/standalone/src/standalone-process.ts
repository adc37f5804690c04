import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** apps/standalone/dist/main.js: what `npm start` runs. */
export const STANDALONE_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Aviary's standalone process as a person starts it (`node apps/standalone/dist/main.js`, or any
 * command that ends up there), its output kept: tests read the banner from it and show it when
 * something fails.
 */
export class StandaloneProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  /**
   * `env`: the whole environment, as a shell would pass it (the install stage's npm needs its CA
   * bundle and cache settings from there, git its own).
   */
  constructor(
    readonly port: number,
    env: Record<string, string | undefined>,
    command: { file: string; args: string[]; cwd?: string } = {
      file: process.execPath,
      args: [STANDALONE_MAIN],
    },
  ) {
    this.child = spawn(command.file, command.args, {
      env: { LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the banner once it is printed (the seven services are ready by then). */
  async started(timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const banner = /\n(=+\n[\s\S]*?\n=+)\n/.exec(this.stdout)?.[1];
      if (banner) return banner;
      if (!this.running) throw new Error(`the standalone process stopped while starting:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`no banner within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`, which the caller sees). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines it wrote, for failure messages. */
  tail(chars = 6_000): string {
    return `--- stdout\n${this.stdout.slice(-chars)}\n--- stderr\n${this.stderr.slice(-chars)}`;
  }
}
