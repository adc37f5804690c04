import { type Envelope, SUBJECT_ROOT } from '@aviary/events';

/** The events a browser follows: executions, their stages, judgments, releases (what runs where). */
const STREAMED = [
  `${SUBJECT_ROOT}.evt.execution.`,
  `${SUBJECT_ROOT}.evt.stage.`,
  `${SUBJECT_ROOT}.evt.judgment.`,
  `${SUBJECT_ROOT}.evt.deployer.release-changed.`,
];

export interface EventFilter {
  application?: string;
  execution?: string;
}

/**
 * Whether an event goes to a client with this filter. An application filter keeps the events that
 * name the application; an execution filter keeps every event of that execution (workers' stage
 * events included).
 */
export function wanted(subject: string, envelope: Envelope, filter: EventFilter): boolean {
  if (!STREAMED.some((prefix) => subject.startsWith(prefix))) return false;
  const data = (envelope.data ?? {}) as { application?: unknown; executionId?: unknown };
  if (filter.application !== undefined && data.application !== filter.application) return false;
  if (
    filter.execution !== undefined &&
    data.executionId !== filter.execution &&
    envelope.correlationid !== filter.execution
  )
    return false;
  return true;
}

/** `dev.aviary.evt.execution.stage-changed.v1` -> `execution.stage-changed`: the SSE event name. */
export function eventName(type: string): string {
  return type.replace(/^dev\.aviary\.evt\./, '').replace(/\.v\d+$/, '');
}

/** `Last-Event-ID` (or `lastEventId` for clients that cannot set headers) -> the sequence to resume from. */
export function resumeSequence(lastEventId: string | undefined): number | undefined {
  if (lastEventId === undefined || !/^\d{1,15}$/.test(lastEventId.trim())) return undefined;
  return Number(lastEventId.trim()) + 1;
}
