import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on the loopback interface (the OS picks; the process binds it right after). */
export function freeLocalPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type ProcessState = 'starting' | 'ready' | 'exited' | 'stopped';

export interface ProcessSpec {
  command: string;
  directory: string;
  env: Record<string, string>;
  host: string;
  /** How the process is reached (default: `host`). */
  advertiseHost?: string;
  port: number;
  healthPath: string;
}

const TAIL_LINES = 20;

/**
 * One replica of an application run locally: its start command in its own process group (so that
 * stopping it stops whatever the command started), on its own port, health-checked over HTTP.
 */
export class AppProcess {
  state: ProcessState = 'starting';
  exitCode: number | null = null;
  lastHealth = 'not checked yet';
  private readonly output: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(readonly spec: ProcessSpec) {
    this.child = spawn('/bin/sh', ['-c', `exec ${spec.command}`], {
      cwd: spec.directory,
      env: { ...spec.env, PORT: String(spec.port), HOST: spec.host },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - TAIL_LINES));
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : 1);
        if (this.state !== 'stopped') this.state = 'exited';
        resolve();
      });
      this.child.once('error', (error) => {
        this.output.push(error.message);
        if (this.state !== 'stopped') this.state = 'exited';
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get url(): string {
    return `http://${this.spec.advertiseHost ?? this.spec.host}:${this.spec.port}`;
  }

  /** The last lines it wrote, to say why it failed. */
  tail(lines = 5): string {
    return this.output.slice(-lines).join(' | ');
  }

  /** One health check: ready when the health path answers 2xx. */
  async probe(): Promise<boolean> {
    if (this.state === 'exited' || this.state === 'stopped') return false;
    try {
      const response = await fetch(`${this.url}${this.spec.healthPath}`, {
        signal: AbortSignal.timeout(1_000),
      });
      await response.body?.cancel();
      this.lastHealth = `${this.spec.healthPath} answered ${response.status}`;
      if (response.ok && this.state === 'starting') this.state = 'ready';
      return response.ok;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      this.lastHealth = `${this.spec.healthPath} did not answer (${cause ?? (error as Error).message})`;
      return false;
    }
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.state !== 'exited') this.state = 'stopped';
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.pid) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Whatever the command left behind in its group goes too.
    signalGroup('SIGKILL');
  }
}
