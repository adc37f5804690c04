import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ZodError } from 'zod';
import { backoffDelay, resolveOptions } from './options.js';

const logger = pino({ level: 'silent' });

describe('resolveOptions', () => {
  it('derives stream names, the envelope source and the defaults', () => {
    const settings = resolveOptions({ service: 'builder', servers: 'nats://nats:4222', logger });
    expect(settings).toMatchObject({
      servers: ['nats://nats:4222'],
      subjectRoot: 'aviary',
      source: '/aviary/builder',
      streams: { command: 'AVIARY_CMD', event: 'AVIARY_EVT', deadLetter: 'AVIARY_DLQ' },
      maxDeliver: 5,
      backoffMs: [250, 1000, 5000, 15_000],
    });
  });

  it('takes the names a test isolates itself with', () => {
    const settings = resolveOptions({ service: 'builder', subjectRoot: 't1', streamPrefix: 'T1', logger });
    expect(settings.streams).toEqual({ command: 'T1_CMD', event: 'T1_EVT', deadLetter: 'T1_DLQ' });
  });

  it('rejects a service name that cannot name a consumer, and nonsense numbers', () => {
    expect(() => resolveOptions({ service: 'Builder.1', logger })).toThrow(ZodError);
    expect(() => resolveOptions({ service: 'builder', maxDeliver: 0, logger })).toThrow(ZodError);
    expect(() => resolveOptions({ service: 'builder', backoffMs: [], logger })).toThrow(ZodError);
  });
});

describe('backoffDelay', () => {
  it('grows with the deliveries, then stays at the last step', () => {
    const steps = [250, 1000, 5000];
    expect([1, 2, 3, 4, 9].map((n) => backoffDelay(steps, n))).toEqual([250, 1000, 5000, 5000, 5000]);
  });
});
