import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { runInContext } from './correlation.js';
import { createLogger } from './logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines that carry the correlation id of the message being handled', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'builder', destination: stream });
    runInContext({ correlationid: 'exec-42', envelopeId: 'env-1' }, () => logger.info('checked out'));
    logger.info('outside any message');
    expect(lines[0]).toMatchObject({
      service: 'builder',
      level: 'info',
      msg: 'checked out',
      correlationid: 'exec-42',
    });
    expect(lines[1]).not.toHaveProperty('correlationid');
  });

  it('redacts secret fields and masks secrets inside messages and errors', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'gateway', destination: stream });
    logger.info({ application: { name: 'orders', webhookSecret: 'abc-very-secret' } }, 'registered');
    logger.warn('clone https://x:tok3n-value@git.example.com/a.git');
    logger.error({ err: new Error('auth failed for postgres://u:pw-123456@db/x') }, 'boom');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('abc-very-secret');
    expect(text).not.toContain('tok3n-value');
    expect(text).not.toContain('pw-123456');
    expect(lines[0]).toMatchObject({ application: { name: 'orders', webhookSecret: '****' } });
  });
});
