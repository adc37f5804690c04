import { describe, expect, it } from '@jest/globals';
import {
  ACTIVE_STATES,
  type Cleanup,
  RELEASE_EVENTS,
  RELEASE_STATES,
  RELEASE_STRATEGIES,
  type ReleaseEvent,
  type ReleaseState,
  type ReleaseStrategy,
  supersededBy,
  transition,
} from './release-machine.js';

type Row = [ReleaseStrategy | '*', ReleaseState, ReleaseEvent, ReleaseState, Cleanup[]];

/** Every allowed transition, with the cleanup it owes; every pair not listed here is refused. */
const ALLOWED: Row[] = [
  ['*', 'requested', 'start', 'deploying', []],
  ['*', 'requested', 'abort', 'aborted', []],
  ['rolling', 'deploying', 'healthy', 'healthy', []],
  ['blue-green', 'deploying', 'healthy', 'healthy', ['retire-previous']],
  ['rolling-red-black', 'deploying', 'healthy', 'healthy', ['delete-previous']],
  ['canary', 'deploying', 'healthy', 'healthy', []],
  ['rolling', 'deploying', 'failed', 'failed', ['restore-production']],
  ['blue-green', 'deploying', 'failed', 'failed', ['remove-new']],
  ['rolling-red-black', 'deploying', 'failed', 'failed', ['remove-new']],
  ['canary', 'deploying', 'failed', 'failed', ['remove-canary']],
  ['rolling', 'deploying', 'abort', 'aborted', ['restore-production']],
  ['blue-green', 'deploying', 'abort', 'aborted', ['remove-new']],
  ['rolling-red-black', 'deploying', 'abort', 'aborted', ['remove-new']],
  ['canary', 'deploying', 'abort', 'aborted', ['remove-canary']],
  ['canary', 'healthy', 'promote', 'promoting', []],
  ['*', 'healthy', 'rollback', 'rolling-back', []],
  ['rolling', 'healthy', 'abort', 'aborted', []],
  ['blue-green', 'healthy', 'abort', 'aborted', []],
  ['rolling-red-black', 'healthy', 'abort', 'aborted', []],
  ['canary', 'healthy', 'abort', 'aborted', ['remove-canary']],
  ['*', 'promoting', 'healthy', 'promoted', ['remove-canary']],
  ['*', 'promoting', 'failed', 'failed', ['remove-canary', 'restore-production']],
  ['*', 'promoting', 'abort', 'aborted', ['remove-canary', 'restore-production']],
  ['*', 'rolling-back', 'healthy', 'rolled-back', ['remove-canary']],
  ['*', 'rolling-back', 'failed', 'failed', ['remove-canary']],
  ['*', 'rolling-back', 'abort', 'aborted', ['remove-canary']],
  ['*', 'promoted', 'rollback', 'rolling-back', []],
  ['*', 'failed', 'rollback', 'rolling-back', []],
];

function expected(strategy: ReleaseStrategy, from: ReleaseState, event: ReleaseEvent) {
  return ALLOWED.find(([s, f, e]) => (s === '*' || s === strategy) && f === from && e === event);
}

describe('the release state machine', () => {
  const pairs = RELEASE_STRATEGIES.flatMap((strategy) =>
    RELEASE_STATES.flatMap((from) => RELEASE_EVENTS.map((event) => [strategy, from, event] as const)),
  );

  it.each(pairs)('%s: %s on %s', (strategy, from, event) => {
    const row = expected(strategy, from, event);
    const result = transition(strategy, from, event);
    if (row) expect(result).toEqual({ to: row[3], cleanup: row[4] });
    else expect(result).toEqual({ refused: expect.any(String) });
  });

  it('can abort every active state, and every abort leaves the release aborted', () => {
    for (const strategy of RELEASE_STRATEGIES)
      for (const state of ACTIVE_STATES)
        expect(transition(strategy, state, 'abort')).toMatchObject({ to: 'aborted' });
  });

  it('refuses to promote what is not a canary, saying why', () => {
    expect(transition('rolling', 'healthy', 'promote')).toEqual({
      refused: 'a rolling release has nothing to promote',
    });
    expect(transition('canary', 'promoted', 'promote')).toEqual({
      refused: 'a promoted release cannot promote',
    });
  });

  it('lets a new release start after a failed one, and aborts an active one first', () => {
    expect(supersededBy('canary', 'failed')).toBe(false);
    expect(supersededBy('canary', 'rolled-back')).toBe(false);
    expect(supersededBy('canary', 'healthy')).toBe(true);
    expect(supersededBy('rolling', 'healthy')).toBe(false);
    expect(supersededBy('blue-green', 'deploying')).toBe(true);
    expect(transition('canary', 'failed', 'rollback')).toEqual({ to: 'rolling-back', cleanup: [] });
  });
});
