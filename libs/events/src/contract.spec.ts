import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  ContractRegistry,
  ExecutionFailed,
  StageCommands,
  StageEvents,
  WebhookReceived,
  canonicalFromRoot,
  envelopeFor,
  subjectMatches,
  subjectUnderRoot,
} from './index.js';

const trigger = {
  kind: 'push' as const,
  provider: 'github' as const,
  repository: 'https://github.com/acme/orders',
  ref: 'refs/heads/main',
  branch: 'main',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
};

describe('message contracts', () => {
  it('name subjects and types by kind, path and version', () => {
    expect(WebhookReceived.subject).toBe('aviary.evt.webhook.received.v1');
    expect(WebhookReceived.type).toBe('dev.aviary.evt.webhook.received.v1');
    expect(StageCommands.builder.run.subject).toBe('aviary.cmd.builder.run.v1');
    expect(StageCommands.deployer.cancel.subject).toBe('aviary.cmd.deployer.cancel.v1');
    expect(StageEvents.canary.completed.subject).toBe('aviary.evt.stage.canary.completed.v1');
  });

  it('wrap valid data in a CloudEvents envelope carrying correlation and causation', () => {
    const envelope = envelopeFor(
      WebhookReceived,
      { deliveryId: 'd-1', application: 'orders', trigger, receivedAt: '2026-11-26T10:00:00.000Z' },
      { source: '/aviary/gateway', correlationid: 'd-1', causationid: 'http-1' },
    );
    expect(envelope).toMatchObject({
      specversion: '1.0',
      type: 'dev.aviary.evt.webhook.received.v1',
      source: '/aviary/gateway',
      datacontenttype: 'application/json',
      correlationid: 'd-1',
      causationid: 'http-1',
    });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuse data that breaks the schema, naming the field', () => {
    const bad = () =>
      envelopeFor(
        ExecutionFailed,
        // @ts-expect-error: a publisher that forgot the reason is caught at run time as well
        { executionId: 'e1', application: 'orders', pipeline: 'p', trigger, failedAt: 'now', durationMs: 3 },
        { source: 'test' },
      );
    expect(bad).toThrow(z.ZodError);
    try {
      bad();
    } catch (error) {
      const paths = (error as z.ZodError).issues.map((issue) => issue.path.join('.'));
      expect(paths).toEqual(expect.arrayContaining(['failedAt', 'reason']));
    }
  });

  it('move subjects under another root and back, for isolated test runs', () => {
    expect(subjectUnderRoot('aviary.cmd.builder.run.v1', 't42')).toBe('t42.cmd.builder.run.v1');
    expect(canonicalFromRoot('t42.cmd.builder.run.v1', 't42')).toBe('aviary.cmd.builder.run.v1');
    expect(() => subjectUnderRoot('other.x', 't42')).toThrow(/not rooted/);
  });

  it('match NATS wildcards the way the server does', () => {
    expect(subjectMatches('aviary.evt.stage.>', 'aviary.evt.stage.builder.completed.v1')).toBe(true);
    expect(subjectMatches('aviary.evt.stage.>', 'aviary.evt.stage')).toBe(false);
    expect(subjectMatches('aviary.evt.*.created.v1', 'aviary.evt.execution.created.v1')).toBe(true);
    expect(subjectMatches('aviary.evt.*.created.v1', 'aviary.evt.a.b.created.v1')).toBe(false);
    expect(subjectMatches('aviary.cmd.builder.run.v1', 'aviary.cmd.builder.run.v1')).toBe(true);
  });

  it('are unique by subject and found by envelope type', () => {
    const registry = new ContractRegistry();
    expect(registry.byEnvelopeType(StageEvents.builder.failed.type)).toBe(StageEvents.builder.failed);
    expect(() => registry.add({ ...WebhookReceived })).toThrow(/share the subject/);
  });
});
