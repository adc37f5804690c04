import { describeStop, type StepExecutor, type StepResult, type StepSpec, stopReasonOf } from './executor.js';
import { ProcessGroup } from './process-group.js';
import { startSideCars } from './side-cars.js';

/**
 * Steps as child processes of the builder (the default): `sh -c <command>` in the workspace, in a
 * process group that is killed whole on cancel or timeout, beside side-car processes.
 */
export class LocalExecutor implements StepExecutor {
  readonly kind = 'local' as const;

  constructor(
    private readonly options: {
      hostEnv: Record<string, string>;
      killGraceMs: number;
      sideCarStartTimeoutMs: number;
    },
  ) {}

  async run(step: StepSpec): Promise<StepResult> {
    if (step.image)
      step.note(`the local executor ignores the image ${step.image}: the command runs on the builder`);
    const sideCars = await startSideCars(step.sideCars, {
      env: step.env,
      hostEnv: this.options.hostEnv,
      cwd: step.cwd,
      killGraceMs: this.options.killGraceMs,
      startTimeoutMs: this.options.sideCarStartTimeoutMs,
      signal: step.signal,
      note: step.note,
    });
    try {
      return await this.runCommand(step, { ...this.options.hostEnv, ...sideCars.env });
    } finally {
      await sideCars.stop();
    }
  }

  private async runCommand(step: StepSpec, env: Record<string, string>): Promise<StepResult> {
    if (step.signal.aborted) return { exitCode: null, stopped: stopReasonOf(step.signal) };
    const group = new ProcessGroup(step.command, {
      cwd: step.cwd,
      env,
      killGraceMs: this.options.killGraceMs,
    });
    group.child.stdout.on('data', (chunk: Buffer) => step.output('stdout', chunk));
    group.child.stderr.on('data', (chunk: Buffer) => step.output('stderr', chunk));
    const onAbort = () => {
      const stop = stopReasonOf(step.signal);
      step.note(`${describeStop(stop)}: stopping the step's processes`);
      void group.stop(this.options.killGraceMs);
    };
    step.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const exit = await group.exited;
      return {
        exitCode: exit.exitCode,
        ...(exit.signal ? { signal: exit.signal } : {}),
        ...(step.signal.aborted ? { stopped: stopReasonOf(step.signal) } : {}),
      };
    } finally {
      step.signal.removeEventListener('abort', onAbort);
    }
  }
}
