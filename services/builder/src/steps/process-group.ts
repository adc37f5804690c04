import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { type Readable } from 'node:stream';

export interface GroupExit {
  exitCode: number | null;
  signal: string | null;
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // ESRCH: nothing left in the group.
    return false;
  }
}

/**
 * A shell command in its own process group (the command, and whatever it starts, share it). The
 * group can be stopped whole: SIGTERM, then SIGKILL after a grace period. When the shell ends by
 * itself, what it left running in the background is stopped too, so nothing outlives its step.
 */
export class ProcessGroup {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<GroupExit>;
  private stopping: Promise<void> | undefined;

  constructor(
    command: string | string[],
    options: { cwd: string; env: Record<string, string>; killGraceMs: number },
  ) {
    const [file, args] =
      typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0]!, command.slice(1)];
    this.child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<GroupExit>((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (exitCode, signal) => {
        // Background children may still hold stdout open; the step is over, so they go too.
        void this.stop(options.killGraceMs);
        resolve({ exitCode, signal });
      });
    });
    // Resolves once the output pipes are drained as well.
    this.exited = closed.then(
      (exit) =>
        new Promise<GroupExit>((resolve) => {
          if (this.child.stdout.closed && this.child.stderr.closed) resolve(exit);
          else this.child.once('close', () => resolve(exit));
        }),
    );
    this.exited.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the whole group; resolves when nothing of it is left (or SIGKILL was sent). */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= (async () => {
      const pid = this.child.pid;
      if (pid === undefined) return;
      if (!signalGroup(pid, 'SIGTERM')) return;
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (!signalGroup(pid, 0)) return;
      }
      signalGroup(pid, 'SIGKILL');
    })();
    return this.stopping;
  }
}
