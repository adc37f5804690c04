import { describe, expect, it } from '@jest/globals';
import { channelsFor, effectiveSettings, statusChannels } from './subscriptions.js';

const empty = { channels: [], subscriptions: [], templates: {} };

describe('subscriptions', () => {
  it("sends failures, judgments and rollbacks to the application's channels by default", () => {
    const settings = effectiveSettings(
      { ...empty, channels: ['slack:#shop', 'github:status'] },
      undefined,
      [],
    );
    expect(channelsFor(settings, 'execution.failed')).toEqual(['slack:#shop']);
    expect(channelsFor(settings, 'judgment.requested')).toEqual(['slack:#shop']);
    expect(channelsFor(settings, 'rollback.done')).toEqual(['slack:#shop']);
    expect(channelsFor(settings, 'execution.started')).toEqual([]);
    expect(statusChannels(settings)).toEqual(['github:status']);
  });

  it('adds the subscriptions of the pipeline file and of the API; an API template wins', () => {
    const settings = effectiveSettings(
      {
        ...empty,
        subscriptions: [{ channel: 'email:a@example.com', events: ['execution.started'] }],
        templates: { 'execution.failed': { title: 'file' } },
      },
      {
        ...empty,
        channels: ['webhook:ci'],
        templates: { 'execution.failed': { title: 'api' } },
        statusContext: 'ci/{{application}}',
      },
      ['slack:#fallback'],
    );
    expect(channelsFor(settings, 'execution.started')).toEqual(['email:a@example.com']);
    expect(channelsFor(settings, 'execution.failed')).toEqual(['webhook:ci']);
    expect(settings.templates['execution.failed']).toEqual({ title: 'api' });
    expect(settings.statusContext).toBe('ci/{{application}}');
  });

  it("falls back to the notifier's default channels only when the application names none", () => {
    expect(effectiveSettings(undefined, undefined, ['slack:#all']).channels).toEqual(['slack:#all']);
    expect(
      effectiveSettings({ ...empty, channels: ['email:x@example.com'] }, undefined, ['slack:#all']).channels,
    ).toEqual(['email:x@example.com']);
  });
});
