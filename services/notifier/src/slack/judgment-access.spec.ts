import { describe, expect, it } from '@jest/globals';
import { judgeRefusal, parseJudgmentValue } from './judgment-access.js';

const waiting = { stageId: 'judge', instructions: '', allowedRoles: [], requestedAt: '2026-11-01T10:00:00Z' };

describe('who may judge from Slack', () => {
  it('lets deployers and admins decide a waiting judgment', () => {
    expect(judgeRefusal('deployer', waiting, 'U1')).toBeUndefined();
    expect(judgeRefusal('admin', waiting, 'U1')).toBeUndefined();
  });

  it('refuses viewers, unmapped users, decided judgments and roles the stage does not list', () => {
    expect(judgeRefusal('viewer', waiting, 'U1')).toMatch(/has the role viewer/);
    expect(judgeRefusal(undefined, waiting, 'U1')).toMatch(/has no Aviary role/);
    expect(judgeRefusal('deployer', { ...waiting, decision: 'reject', user: 'bob' }, 'U1')).toBe(
      'This judgment was already decided: rejected by bob.',
    );
    expect(judgeRefusal('deployer', { ...waiting, allowedRoles: ['admin'] }, 'U1')).toMatch(
      /Only admin may decide/,
    );
    expect(judgeRefusal('admin', { ...waiting, allowedRoles: ['lead'] }, 'U1')).toBeUndefined();
  });

  it('reads only the button values Aviary wrote', () => {
    expect(parseJudgmentValue('{"executionId":"e1","stageId":"judge"}')).toEqual({
      executionId: 'e1',
      stageId: 'judge',
    });
    expect(parseJudgmentValue('approve')).toBeUndefined();
    expect(parseJudgmentValue('{"executionId":""}')).toBeUndefined();
  });
});
