import { describe, expect, it } from '@jest/globals';
import { type Trigger } from '@aviary/events';
import { applyEvent, type ExecutionEvent, type ExecutionSnapshot } from './execution-snapshot.js';

const trigger: Trigger = {
  kind: 'push',
  provider: 'github',
  repository: 'https://github.com/acme/shop',
  ref: 'refs/heads/main',
  branch: 'main',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
};
const ref = { executionId: 'e1', application: 'shop', pipeline: 'node-service', trigger };
const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();

const events: ExecutionEvent[] = [
  {
    kind: 'created',
    at: at(0),
    data: {
      ...ref,
      createdAt: at(0),
      stages: [
        { stageId: 'build', type: 'run', dependsOn: [] },
        { stageId: 'judge', type: 'manual-judgment', dependsOn: ['build'] },
      ],
      notifications: { channels: ['slack:#deploys'], subscriptions: [], templates: {} },
    },
  },
  { kind: 'started', at: at(1), data: { ...ref, startedAt: at(1) } },
  {
    kind: 'stage-changed',
    at: at(2),
    data: {
      executionId: 'e1',
      application: 'shop',
      stageId: 'build',
      stageType: 'run',
      attempt: 1,
      from: 'NOT_STARTED',
      to: 'RUNNING',
      outputs: {},
      at: at(2),
    },
  },
  {
    kind: 'stage-changed',
    at: at(5),
    data: {
      executionId: 'e1',
      application: 'shop',
      stageId: 'build',
      stageType: 'run',
      attempt: 1,
      from: 'RUNNING',
      to: 'SUCCEEDED',
      outputs: {},
      at: at(5),
    },
  },
  {
    kind: 'judgment-requested',
    at: at(6),
    data: {
      executionId: 'e1',
      stageId: 'judge',
      application: 'shop',
      instructions: 'look',
      allowedRoles: ['lead'],
    },
  },
  {
    kind: 'paused',
    at: at(6),
    data: { ...ref, stageId: 'judge', reason: 'waits for a judgment', pausedAt: at(6) },
  },
  {
    kind: 'judgment-given',
    at: at(8),
    data: {
      executionId: 'e1',
      stageId: 'judge',
      decision: 'approve',
      user: 'alice',
      via: 'slack',
      decidedAt: at(8),
    },
  },
  { kind: 'resumed', at: at(8), data: { ...ref, resumedBy: 'alice', reason: 'approved', resumedAt: at(8) } },
  { kind: 'completed', at: at(9), data: { ...ref, completedAt: at(9), durationMs: 8000 } },
];

const fold = (list: ExecutionEvent[]) => list.reduce<ExecutionSnapshot | undefined>(applyEvent, undefined)!;

describe('the execution snapshot', () => {
  it('follows an execution event by event', () => {
    const snapshot = fold(events);
    expect(snapshot).toMatchObject({
      application: 'shop',
      status: 'SUCCEEDED',
      durationMs: 8000,
      notifications: { channels: ['slack:#deploys'] },
      judgments: [
        { stageId: 'judge', decision: 'approve', user: 'alice', via: 'slack', allowedRoles: ['lead'] },
      ],
    });
    expect(snapshot.stages.map((s) => [s.id, s.status, s.startedAt, s.endedAt])).toEqual([
      ['build', 'SUCCEEDED', at(2), at(5)],
      ['judge', 'NOT_STARTED', undefined, undefined],
    ]);
  });

  it('ends the same whatever order the events come in', () => {
    const expected = fold(events);
    const shuffles = [
      [...events].reverse(),
      [events[8]!, ...events.slice(0, 8)],
      [events[3]!, events[2]!, events[0]!, ...events.slice(4), events[1]!],
    ];
    for (const order of shuffles) {
      const snapshot = fold(order);
      expect(snapshot.status).toBe(expected.status);
      expect(snapshot.stages.map((s) => [s.id, s.status])).toEqual(
        expected.stages.map((s) => [s.id, s.status]),
      );
      expect(snapshot.judgments).toEqual(expected.judgments);
    }
  });

  it('takes the canary verdict and score, and a finished rollback', () => {
    const snapshot = fold([
      ...events.slice(0, 2),
      {
        kind: 'canary-failed',
        at: at(3),
        data: {
          executionId: 'e1',
          stageId: 'canary',
          attempt: 1,
          failedAt: at(3),
          error: { message: 'score 40', retryable: false },
          outputs: { score: 40, verdict: 'fail' },
        },
      },
      {
        kind: 'release-changed',
        at: at(4),
        data: {
          releaseId: 'r1',
          executionId: 'e1',
          stageId: 'rollback',
          attempt: 1,
          application: 'shop',
          environment: 'production',
          namespace: 'prod',
          target: 'local',
          strategy: 'canary',
          state: 'rolled-back',
          image: 'shop:1',
          previousImage: 'shop:0',
          detail: 'rolled back',
          changedAt: at(4),
        },
      },
    ]);
    expect(snapshot.canary).toMatchObject({ verdict: 'fail', score: 40, reason: 'score 40' });
    expect(snapshot.rollback).toMatchObject({ environment: 'production', previousImage: 'shop:0' });
  });
});
