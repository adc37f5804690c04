import { describe, expect, it } from '@jest/globals';
import { StageStatus as StageStatusSchema, ExecutionStatus as ExecutionStatusSchema } from '@aviary/events';
import { STAGE_STATUSES, type StageStatus } from '@aviary/pipeline-spec';
import {
  EXECUTION_STATUSES,
  TransitionRefused,
  assertExecutionTransition,
  assertStageTransition,
  canExecutionTransition,
  canStageTransition,
  isFinalExecution,
  isFinalStage,
  type ExecutionStatus,
} from './status-machine.js';

const ALLOWED_EXECUTION: [ExecutionStatus, ExecutionStatus][] = [
  ['NOT_STARTED', 'RUNNING'],
  ['NOT_STARTED', 'CANCELED'],
  ['NOT_STARTED', 'TERMINAL'],
  ['RUNNING', 'PAUSED'],
  ['RUNNING', 'SUCCEEDED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'CANCELED'],
  ['RUNNING', 'TERMINAL'],
  ['PAUSED', 'RUNNING'],
  ['PAUSED', 'SUCCEEDED'],
  ['PAUSED', 'FAILED'],
  ['PAUSED', 'CANCELED'],
  ['PAUSED', 'TERMINAL'],
  ['FAILED', 'RUNNING'],
  ['CANCELED', 'RUNNING'],
  ['TERMINAL', 'RUNNING'],
];

const ALLOWED_STAGE: [StageStatus, StageStatus][] = [
  ['NOT_STARTED', 'RUNNING'],
  ['NOT_STARTED', 'SKIPPED'],
  ['RUNNING', 'RUNNING'],
  ['RUNNING', 'PAUSED'],
  ['RUNNING', 'SUCCEEDED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'FAILED_CONTINUE'],
  ['RUNNING', 'CANCELED'],
  ['RUNNING', 'TERMINAL'],
  ['PAUSED', 'SUCCEEDED'],
  ['PAUSED', 'FAILED'],
  ['PAUSED', 'FAILED_CONTINUE'],
  ['PAUSED', 'CANCELED'],
  ['PAUSED', 'TERMINAL'],
  ['PAUSED', 'NOT_STARTED'],
  ['SUCCEEDED', 'NOT_STARTED'],
  ['FAILED', 'NOT_STARTED'],
  ['FAILED_CONTINUE', 'NOT_STARTED'],
  ['CANCELED', 'NOT_STARTED'],
  ['SKIPPED', 'NOT_STARTED'],
  ['TERMINAL', 'NOT_STARTED'],
];

function pairs<S extends string>(statuses: readonly S[]): [S, S][] {
  return statuses.flatMap((from) => statuses.map((to): [S, S] => [from, to]));
}

const isIn = <S extends string>(list: [S, S][], [from, to]: [S, S]) =>
  list.some(([a, b]) => a === from && b === to);

describe('the execution status machine', () => {
  it('knows the statuses the bus contract publishes', () => {
    expect([...EXECUTION_STATUSES].sort()).toEqual([...ExecutionStatusSchema.options].sort());
  });

  it.each(ALLOWED_EXECUTION)('allows %s -> %s', (from, to) => {
    expect(canExecutionTransition(from, to)).toBe(true);
    expect(() => assertExecutionTransition(from, to)).not.toThrow();
  });

  const refused = pairs(EXECUTION_STATUSES).filter((pair) => !isIn(ALLOWED_EXECUTION, pair));
  it.each(refused)('refuses %s -> %s', (from, to) => {
    expect(canExecutionTransition(from, to)).toBe(false);
    expect(() => assertExecutionTransition(from, to)).toThrow(
      new TransitionRefused(`an execution cannot go from ${from} to ${to}`),
    );
  });

  it('has a final status only where nothing but a restart follows', () => {
    expect(EXECUTION_STATUSES.filter(isFinalExecution)).toEqual([
      'SUCCEEDED',
      'FAILED',
      'CANCELED',
      'TERMINAL',
    ]);
    expect(refused.length + ALLOWED_EXECUTION.length).toBe(49);
  });
});

describe('the stage status machine', () => {
  it('knows the statuses of the pipeline model and of the bus contract', () => {
    expect([...STAGE_STATUSES].sort()).toEqual([...StageStatusSchema.options].sort());
  });

  it.each(ALLOWED_STAGE)('allows %s -> %s', (from, to) => {
    expect(canStageTransition(from, to)).toBe(true);
    expect(() => assertStageTransition('build', from, to)).not.toThrow();
  });

  const refused = pairs(STAGE_STATUSES).filter((pair) => !isIn(ALLOWED_STAGE, pair));
  it.each(refused)('refuses %s -> %s', (from, to) => {
    expect(canStageTransition(from, to)).toBe(false);
    expect(() => assertStageTransition('build', from, to)).toThrow(
      new TransitionRefused(`stage build cannot go from ${from} to ${to}`),
    );
  });

  it('treats ended stages as final and running or waiting ones as not', () => {
    expect(STAGE_STATUSES.filter(isFinalStage)).toEqual([
      'SUCCEEDED',
      'FAILED',
      'FAILED_CONTINUE',
      'CANCELED',
      'SKIPPED',
      'TERMINAL',
    ]);
    expect(refused.length + ALLOWED_STAGE.length).toBe(81);
  });
});
