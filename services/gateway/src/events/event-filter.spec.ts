import { describe, expect, it } from '@jest/globals';
import { buildEnvelope } from '@aviary/events';
import { eventName, resumeSequence, wanted } from './event-filter.js';

const stageChanged = buildEnvelope(
  'dev.aviary.evt.execution.stage-changed.v1',
  { executionId: 'exec-1', application: 'orders', stageId: 'test' },
  { source: '/aviary/orchestrator', correlationid: 'exec-1' },
);
const progress = buildEnvelope(
  'dev.aviary.evt.stage.builder.progress.v1',
  { executionId: 'exec-1', stageId: 'test', attempt: 1, message: 'npm test' },
  { source: '/aviary/builder', correlationid: 'exec-1' },
);

describe('event filter', () => {
  it('keeps execution, stage and judgment events, not webhooks', () => {
    expect(wanted('aviary.evt.execution.stage-changed.v1', stageChanged, {})).toBe(true);
    expect(wanted('aviary.evt.stage.builder.progress.v1', progress, {})).toBe(true);
    expect(wanted('aviary.evt.webhook.received.v1', stageChanged, {})).toBe(false);
  });

  it('filters by application (events that name it) and by execution (every event of it)', () => {
    expect(wanted('aviary.evt.execution.stage-changed.v1', stageChanged, { application: 'orders' })).toBe(
      true,
    );
    expect(wanted('aviary.evt.execution.stage-changed.v1', stageChanged, { application: 'payments' })).toBe(
      false,
    );
    expect(wanted('aviary.evt.stage.builder.progress.v1', progress, { execution: 'exec-1' })).toBe(true);
    expect(wanted('aviary.evt.stage.builder.progress.v1', progress, { execution: 'exec-2' })).toBe(false);
  });

  it("keeps the deployer's release changes (what runs where) for the application they name", () => {
    const release = buildEnvelope(
      'dev.aviary.evt.deployer.release-changed.v1',
      { executionId: 'exec-1', application: 'orders', environment: 'production', state: 'healthy' },
      { source: '/aviary/deployer', correlationid: 'exec-1' },
    );
    expect(wanted('aviary.evt.deployer.release-changed.v1', release, { application: 'orders' })).toBe(true);
    expect(wanted('aviary.evt.deployer.release-changed.v1', release, { application: 'payments' })).toBe(
      false,
    );
  });

  it('names events after their contract and resumes after the last id seen', () => {
    expect(eventName('dev.aviary.evt.execution.stage-changed.v1')).toBe('execution.stage-changed');
    expect(resumeSequence('41')).toBe(42);
    expect(resumeSequence(undefined)).toBeUndefined();
    expect(resumeSequence('abc')).toBeUndefined();
  });
});
