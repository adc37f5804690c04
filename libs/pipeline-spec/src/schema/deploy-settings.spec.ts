import { describe, expect, it } from '@jest/globals';
import { DeploySettings } from './stage-settings.js';

describe('deploy settings', () => {
  const base = { environment: 'production', image: 'registry.local/api:1' };

  it('fills the strategy options with their defaults, durations in milliseconds', () => {
    expect(DeploySettings.parse(base)).toMatchObject({
      strategy: 'rolling',
      keepPreviousFor: 1_800_000,
      steps: [25, 50, 100],
      stepPause: 0,
      dryRun: false,
      overrides: {},
    });
  });

  it('takes typed manifest overrides and a local start command', () => {
    const parsed = DeploySettings.parse({
      ...base,
      overrides: { port: 8080, resources: { limits: { cpu: '500m' } }, autoscaling: { enabled: false } },
      local: { command: 'node server.js' },
    });
    expect(parsed.overrides.resources?.limits?.cpu).toBe('500m');
    expect(parsed.local).toEqual({ command: 'node server.js', directory: '.' });
  });

  it('refuses unknown overrides and steps that do not rise to 100', () => {
    expect(DeploySettings.safeParse({ ...base, overrides: { replicas: 3 } }).success).toBe(false);
    expect(DeploySettings.safeParse({ ...base, steps: [50, 25, 100] }).success).toBe(false);
    expect(DeploySettings.safeParse({ ...base, steps: [25, 50] }).success).toBe(false);
  });
});
