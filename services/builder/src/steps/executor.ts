import { type z } from 'zod';
import { type RunSettings } from '@aviary/pipeline-spec';
import { type LogStream } from '../logs/stage-log.js';

export type SideCar = z.output<typeof RunSettings>['containers'][number];

/** Why a step was stopped before it ended by itself. */
export type StopReason =
  | { kind: 'cancelled'; reason: string }
  | { kind: 'timeout'; afterMs: number }
  /** The builder is stopping: the attempt goes back to the queue for another replica. */
  | { kind: 'shutdown' };

export interface StepSpec {
  /** Names the step's resources (pod name, process title): `<execution>-<stage>-<attempt>`. */
  name: string;
  /** The stage attempt the step belongs to. */
  attempt: { executionId: string; stageId: string; attempt: number };
  command: string;
  /** Absolute directory the command runs in (inside the workspace). */
  cwd: string;
  workspace: string;
  env: Record<string, string>;
  image?: string;
  sideCars: SideCar[];
  /** Fires with a {@link StopReason} when the step must stop (cancel, timeout). */
  signal: AbortSignal;
  output: (stream: LogStream, chunk: Buffer | string) => void;
  /** A line about the step itself (side-cars started, pod scheduled, process group killed). */
  note: (text: string) => void;
}

export interface StepResult {
  /** The command's exit code; null when it was killed by a signal. */
  exitCode: number | null;
  signal?: string;
  stopped?: StopReason;
}

/** Where steps run: child processes of the builder, or pods in a cluster. */
export interface StepExecutor {
  readonly kind: 'local' | 'kubernetes';
  run(step: StepSpec): Promise<StepResult>;
}

export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (typeof reason === 'object' && reason !== null && 'kind' in reason) return reason as StopReason;
  return { kind: 'cancelled', reason: String(reason) };
}

export function describeStop(stop: StopReason | undefined): string {
  switch (stop?.kind) {
    case 'timeout':
      return `timed out after ${stop.afterMs} ms`;
    case 'shutdown':
      return 'the builder is shutting down';
    default:
      return `cancelled (${stop?.reason ?? 'no reason given'})`;
  }
}
