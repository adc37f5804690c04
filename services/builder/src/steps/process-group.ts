import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { type Readable, type Writable } from 'node:stream';

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
 * Runs `"$@"` (stdin from /dev/null) beside a watcher in the same process group that reads the
 * lifeline, a pipe only the builder writes to (never, in fact): when the builder dies, even by
 * SIGKILL, the kernel closes its end, the watcher reads end-of-file and kills the whole group. A
 * step never outlives the builder that runs it, so no other builder's attempt runs beside it.
 */
const LIFELINE = ['exec 3<&0', '(cat <&3 >/dev/null; kill -KILL 0) &', 'exec "$@" </dev/null 3<&-'].join(
  '\n',
);

/**
 * A shell command in its own process group (the command, and whatever it starts, share it). The
 * group can be stopped whole: SIGTERM, then SIGKILL after a grace period. When the shell ends by
 * itself, what it left running in the background is stopped too, so nothing outlives its step; nor
 * does anything outlive the builder (see {@link LIFELINE}).
 */
export class ProcessGroup {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly exited: Promise<GroupExit>;
  private stopping: Promise<void> | undefined;

  constructor(
    command: string | string[],
    options: { cwd: string; env: Record<string, string>; killGraceMs: number },
  ) {
    const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
    this.child = spawn('/bin/sh', ['-c', LIFELINE, 'aviary-step', ...argv], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Nothing is ever written; an error here only means the group is gone.
    this.child.stdin.on('error', () => undefined);
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
