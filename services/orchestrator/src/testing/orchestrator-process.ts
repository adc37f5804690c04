import { eventually, freePort } from '@aviary/test-support';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MAIN = join(root, 'services', 'orchestrator', 'dist', 'main.js');

/** Builds the orchestrator as `npm run build` does (nx skips it when nothing changed). */
export function buildOrchestrator(): void {
  execFileSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '--projects=@aviary/orchestrator', '--output-style=static'],
    {
      cwd: root,
      stdio: 'pipe',
      timeout: 240_000,
    },
  );
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing after the build`);
}

/** The orchestrator as it runs in production: `node services/orchestrator/dist/main.js`. */
export class OrchestratorProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly output: string[] = [];
  port = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...this.env,
        ORCHESTRATOR_PORT: String(this.port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(`[${this.name}] ${chunk.toString()}`);
      if (this.output.length > 500) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        if (!this.child || this.child.exitCode !== null)
          throw new Error(`${this.name} exited:\n${this.output.join('')}`);
        const response = await fetch(`http://127.0.0.1:${this.port}/health`);
        if (response.status !== 200) throw new Error(`${this.name} not ready: ${await response.text()}`);
      },
      timeoutMs,
      50,
    );
  }

  /** `kill -9`: no drain, no goodbye; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  /** Sends SIGKILL at once, in the caller's turn (from inside a stub worker's handler). */
  killNow(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  get running(): boolean {
    return this.child !== undefined;
  }
}
