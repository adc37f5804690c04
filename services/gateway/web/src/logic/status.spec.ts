import { describe, expect, it } from '@jest/globals';
import { isFinished, statusLook } from './status.js';

describe('how a status looks', () => {
  it('always has a word and an icon besides its colour', () => {
    for (const status of [
      'SUCCEEDED',
      'FAILED',
      'RUNNING',
      'PAUSED',
      'CANCELED',
      'High',
      'NO_VALUE',
      'healthy',
      'something new',
    ]) {
      const look = statusLook(status);
      expect(look.label.length).toBeGreaterThan(0);
      expect(look.icon.length).toBeGreaterThan(0);
    }
    expect(statusLook('PAUSED')).toEqual({ label: 'Waiting', icon: '‖', tone: 'wait' });
    expect(statusLook('something new').label).toBe('something new');
  });

  it('knows which executions have ended', () => {
    expect(isFinished('CANCELED')).toBe(true);
    expect(isFinished('PAUSED')).toBe(false);
  });
});
