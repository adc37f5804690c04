import { Trigger } from '@aviary/events';
import { type StageStatus } from './model.js';

/**
 * What an execution knows at a given moment, as expressions and templates see it: each stage's status
 * and outputs so far (a stage absent here has not started) and the trigger.
 */
export interface ExecutionContext {
  stages: Record<string, { status: StageStatus; outputs: Record<string, unknown> }>;
  trigger: Trigger;
}

/** The trigger fields `trigger.<field>` and `${trigger.<field>}` may read. */
export const TRIGGER_FIELDS = Object.keys(Trigger.shape) as (keyof Trigger)[];
