import { z } from 'zod';
import { defineCommand, defineEvent, type MessageContract } from '../contract.js';
import { ApplicationName, JsonRecord, StageError, StageRef, Timestamp, Trigger } from './common.js';

/** The services that run stages, and the stage commands each one answers. */
export const WORKER_ACTIONS = {
  builder: ['checkout', 'run', 'build-image'],
  quality: ['gate'],
  deployer: ['deploy', 'canary-deploy', 'promote', 'rollback'],
  canary: ['analyze'],
  notifier: ['notify-stage'],
} as const;

export type WorkerKind = keyof typeof WORKER_ACTIONS;
export const WORKER_KINDS = Object.keys(WORKER_ACTIONS) as WorkerKind[];
export type WorkerAction<W extends WorkerKind> = (typeof WORKER_ACTIONS)[W][number];

/**
 * What the orchestrator sends to run one attempt of a stage. `settings` are the stage's own settings
 * from the pipeline file, already validated against the stage type's schema by the orchestrator;
 * `inputs` are outputs of earlier stages that the settings referred to, already resolved.
 */
export const StageCommandData = StageRef.extend({
  application: ApplicationName,
  stageType: z.string().min(1),
  trigger: Trigger,
  settings: JsonRecord,
  inputs: JsonRecord.default({}),
  /** The worker should give up (and report a timeout) after this instant. */
  deadline: Timestamp,
});
export type StageCommandData = z.infer<typeof StageCommandData>;

export const StageCancelData = StageRef.extend({ reason: z.string().min(1) });

export const StageStartedData = StageRef.extend({ worker: z.string().min(1), startedAt: Timestamp });
export const StageProgressData = StageRef.extend({
  message: z.string(),
  percent: z.number().min(0).max(100).optional(),
  details: JsonRecord.optional(),
});
export const StageCompletedData = StageRef.extend({
  completedAt: Timestamp,
  outputs: JsonRecord.default({}),
});
export const StageFailedData = StageRef.extend({
  failedAt: Timestamp,
  error: StageError,
  outputs: JsonRecord.default({}),
});

type Commands<W extends WorkerKind> = Record<WorkerAction<W>, MessageContract<typeof StageCommandData>> & {
  cancel: MessageContract<typeof StageCancelData>;
};

// A type alias rather than an interface: only aliases are assignable to the index signature that
// ALL_CONTRACTS reads the events through (Object.values).
type StageEvents = {
  started: MessageContract<typeof StageStartedData>;
  progress: MessageContract<typeof StageProgressData>;
  completed: MessageContract<typeof StageCompletedData>;
  failed: MessageContract<typeof StageFailedData>;
};

function commandsOf<W extends WorkerKind>(worker: W): Commands<W> {
  const entries = WORKER_ACTIONS[worker].map((action) => [
    action,
    defineCommand({
      path: `${worker}.${action}`,
      description: `Run one attempt of a ${action} stage on the ${worker}.`,
      schema: StageCommandData,
    }),
  ]);
  const cancel = defineCommand({
    path: `${worker}.cancel`,
    description: `Stop the ${worker}'s work on a stage attempt (cancelled or timed out); it reports the stage failed.`,
    schema: StageCancelData,
  });
  return { ...Object.fromEntries(entries), cancel } as Commands<W>;
}

function eventsOf(worker: WorkerKind): StageEvents {
  return {
    started: defineEvent({
      path: `stage.${worker}.started`,
      description: `The ${worker} began a stage attempt.`,
      schema: StageStartedData,
    }),
    progress: defineEvent({
      path: `stage.${worker}.progress`,
      description: `The ${worker} reports progress on a stage attempt.`,
      schema: StageProgressData,
    }),
    completed: defineEvent({
      path: `stage.${worker}.completed`,
      description: `The ${worker} finished a stage attempt successfully, with its outputs.`,
      schema: StageCompletedData,
    }),
    failed: defineEvent({
      path: `stage.${worker}.failed`,
      description: `A stage attempt on the ${worker} failed; the error says whether a retry can help.`,
      schema: StageFailedData,
    }),
  };
}

export const StageCommands = {
  builder: commandsOf('builder'),
  quality: commandsOf('quality'),
  deployer: commandsOf('deployer'),
  canary: commandsOf('canary'),
  notifier: commandsOf('notifier'),
};

export const StageEvents: Record<WorkerKind, StageEvents> = {
  builder: eventsOf('builder'),
  quality: eventsOf('quality'),
  deployer: eventsOf('deployer'),
  canary: eventsOf('canary'),
  notifier: eventsOf('notifier'),
};

/** Pattern matching every stage event of every worker (for the orchestrator and the gateway). */
export const ALL_STAGE_EVENTS = 'aviary.evt.stage.>';
export const ALL_EXECUTION_EVENTS = 'aviary.evt.execution.>';
