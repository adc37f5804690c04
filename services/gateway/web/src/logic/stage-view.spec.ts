import { describe, expect, it } from '@jest/globals';
import { averageRunMs, buildStageView, pipelineOrder } from './stage-view.js';

const stage = (stageId: string, status: string, dependsOn: string[] = [], durationMs?: number) => ({
  stageId,
  name: stageId.toUpperCase(),
  status,
  dependsOn,
  durationMs,
});

describe('the stage view', () => {
  it('orders stages by depth in the graph, then as the pipeline lists them', () => {
    const stages = [
      stage('deploy', 'x', ['test', 'lint']),
      stage('lint', 'x', ['checkout']),
      stage('checkout', 'x'),
      stage('test', 'x', ['checkout']),
    ];
    expect(pipelineOrder(stages)).toEqual(['checkout', 'lint', 'test', 'deploy']);
  });

  it('averages each column over the runs where the stage succeeded, and shows a running stage its time so far', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    const runs = [
      {
        executionId: 'new',
        status: 'RUNNING',
        stages: [
          stage('build', 'SUCCEEDED', [], 4000),
          { ...stage('test', 'RUNNING', ['build']), startedAt: '2026-01-01T00:00:30Z' },
        ],
      },
      {
        executionId: 'old',
        status: 'FAILED',
        stages: [stage('build', 'SUCCEEDED', [], 2000), stage('test', 'FAILED', ['build'], 9000)],
      },
      { executionId: 'waiting', status: 'NOT_STARTED' },
    ];
    const table = buildStageView(runs, now);
    expect(table.columns).toEqual([
      { stageId: 'build', name: 'BUILD', averageMs: 3000 },
      // the failed attempt does not count towards the average
      { stageId: 'test', name: 'TEST', averageMs: undefined },
    ]);
    expect(table.rows[0]!.cells[1]).toEqual({
      status: 'RUNNING',
      durationMs: 30_000,
      running: true,
      attempt: 1,
    });
    expect(table.rows[2]!.cells).toEqual([undefined, undefined]);
    const waiting = buildStageView(
      [
        {
          executionId: 'w',
          status: 'PAUSED',
          stages: [{ ...stage('approve', 'PAUSED'), startedAt: '2026-01-01T00:00:50Z' }],
        },
      ],
      now,
    );
    expect(waiting.rows[0]!.cells[0]).toEqual({
      status: 'PAUSED',
      durationMs: 10_000,
      running: false,
      attempt: 1,
    });
  });

  it('keeps a stage only older runs had as a column of its own', () => {
    const table = buildStageView(
      [
        { executionId: 'a', status: 'SUCCEEDED', stages: [stage('build', 'SUCCEEDED', [], 1)] },
        {
          executionId: 'b',
          status: 'SUCCEEDED',
          stages: [stage('build', 'SUCCEEDED', [], 1), stage('legacy', 'SUCCEEDED', ['build'], 1)],
        },
      ],
      0,
    );
    expect(table.columns.map((c) => c.stageId)).toEqual(['build', 'legacy']);
    expect(table.rows[0]!.cells[1]).toBeUndefined();
  });

  it('averages the full run time of the runs that succeeded', () => {
    expect(
      averageRunMs([
        { status: 'SUCCEEDED', durationMs: 10 },
        { status: 'FAILED', durationMs: 1000 },
        { status: 'SUCCEEDED', durationMs: 30 },
      ]),
    ).toBe(20);
    expect(averageRunMs([{ status: 'RUNNING' }])).toBeUndefined();
  });
});
