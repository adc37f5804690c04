import { type DataOf, type MessageContract } from '@aviary/events';

export type AttemptStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** A new attempt (with `dispatchedAt`) or what changed on an existing one. */
export interface AttemptChange {
  stageId: string;
  attempt: number;
  status?: AttemptStatus;
  dispatchedAt?: Date;
  deadline?: Date;
  settings?: Record<string, unknown>;
  worker?: string;
  startedAt?: Date;
  endedAt?: Date;
  error?: string;
  outputs?: Record<string, unknown>;
}

export type TimerKind =
  'stage-timeout' | 'stage-retry' | 'wait-done' | 'execution-timeout' | 'resolve-pipeline' | 'group-next';

export interface TimerSpec {
  kind: TimerKind;
  stageId?: string;
  attempt?: number;
  dueAt: Date;
}

export interface OutgoingMessage {
  contract: MessageContract;
  data: unknown;
  /** A fixed envelope id, for messages that must exist once whatever happens (stage commands). */
  id?: string;
}

export function message<C extends MessageContract>(
  contract: C,
  data: DataOf<C>,
  id?: string,
): OutgoingMessage {
  return { contract, data, ...(id === undefined ? {} : { id }) };
}

export interface HistoryEntry {
  at: Date;
  actor: string;
  action: string;
  stageId?: string;
  from?: string;
  to?: string;
  detail?: string;
}

/** Everything one step of the engine decided, written in one transaction by the repository. */
export class Changes {
  execution = false;
  readonly stages = new Set<string>();
  readonly attempts: AttemptChange[] = [];
  readonly messages: OutgoingMessage[] = [];
  readonly timersToAdd: TimerSpec[] = [];
  readonly timersToClear = new Set<string>();
  clearAllTimers = false;
  /** The execution ended: the next one queued on its branch may start. */
  groupNext = false;
  /** When the watchdog should look again, if not what the state implies. */
  watchdogAt: Date | undefined;
  readonly history: HistoryEntry[] = [];

  get empty(): boolean {
    return (
      !this.execution &&
      this.stages.size === 0 &&
      this.attempts.length === 0 &&
      this.messages.length === 0 &&
      this.timersToAdd.length === 0 &&
      this.timersToClear.size === 0 &&
      !this.clearAllTimers &&
      this.history.length === 0
    );
  }

  /** Timers of these kinds are cleared by stage (`timersToClear`), the others only with the execution. */
  static readonly STAGE_TIMERS: readonly TimerKind[] = ['stage-timeout', 'stage-retry', 'wait-done'];
}
