import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadServiceConfig } from './service-config.js';

describe('loadServiceConfig', () => {
  it('gives every service working local defaults and its own port and schema', () => {
    const gateway = loadServiceConfig('gateway', {}, false);
    const canary = loadServiceConfig('canary', {}, false);
    expect(gateway).toMatchObject({
      port: 8080,
      natsUrl: 'nats://127.0.0.1:4222',
      schema: 'gateway',
      subjectRoot: 'aviary',
      streamPrefix: 'AVIARY',
      logPretty: false,
    });
    expect(canary).toMatchObject({ port: 8085, schema: 'canary' });
  });

  it('lets the service-specific port win over PORT', () => {
    expect(loadServiceConfig('builder', { PORT: '9000' }, false).port).toBe(9000);
    expect(loadServiceConfig('builder', { PORT: '9000', BUILDER_PORT: '9100' }, false).port).toBe(9100);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadServiceConfig('deployer', { AVIARY_MAX_DELIVER: 'lots' }, false)).toThrow(ConfigError);
    expect(() => loadServiceConfig('deployer', { AVIARY_MAX_DELIVER: 'lots' }, false)).toThrow(
      /AVIARY_MAX_DELIVER/,
    );
    expect(() => loadServiceConfig('deployer', { DATABASE_URL: 'mysql://x' }, false)).toThrow(/DATABASE_URL/);
    expect(() => loadServiceConfig('deployer', { DEPLOYER_PORT: '70000' }, false)).toThrow(/DEPLOYER_PORT/);
  });

  it('reads how long unacknowledged messages and outbox claims of a crashed replica hold', () => {
    expect(loadServiceConfig('orchestrator', {}, false)).toMatchObject({
      ackWaitMs: 30_000,
      outboxClaimTtlMs: 30_000,
    });
    expect(
      loadServiceConfig(
        'orchestrator',
        { AVIARY_ACK_WAIT_MS: '2000', AVIARY_OUTBOX_CLAIM_TTL_MS: '1500' },
        false,
      ),
    ).toMatchObject({ ackWaitMs: 2_000, outboxClaimTtlMs: 1_500 });
    expect(() => loadServiceConfig('orchestrator', { AVIARY_ACK_WAIT_MS: '5' }, false)).toThrow(
      /AVIARY_ACK_WAIT_MS/,
    );
  });

  it('prefixes schemas so that test runs and installations can share a database', () => {
    expect(loadServiceConfig('orchestrator', { AVIARY_SCHEMA_PREFIX: 't42_' }, false).schema).toBe(
      't42_orchestrator',
    );
  });
});
