import { describe, expect, it } from '@jest/globals';
import { loadDeployerConfig } from './deployer-config.js';

describe('deployer configuration', () => {
  it('sends every environment to the default kubeconfig when nothing is said', () => {
    expect(loadDeployerConfig({}).targets).toEqual({ '*': { kind: 'kubernetes', inCluster: false } });
  });

  it('reads per-environment targets and keeps what local processes inherit', () => {
    const config = loadDeployerConfig({
      DEPLOYER_TARGETS: JSON.stringify({
        production: { kind: 'kubernetes', context: 'prod', ingressHost: 'api.example.com' },
        homolog: { kind: 'kubernetes', inCluster: true },
        '*': { kind: 'local', ports: { 'orders-api': 9000 } },
      }),
      PATH: '/usr/bin',
      SECRET: 'not inherited',
    });
    expect(config.targets['production']).toMatchObject({ context: 'prod', ingressHost: 'api.example.com' });
    expect(config.targets['*']).toEqual({ kind: 'local', host: '127.0.0.1', ports: { 'orders-api': 9000 } });
    expect(config.localBaseEnv).toEqual({ PATH: '/usr/bin' });
  });

  it('refuses a bad target with the variable and field named', () => {
    expect(() => loadDeployerConfig({ DEPLOYER_TARGETS: '{"x":{"kind":"nomad"}}' })).toThrow(
      /invalid configuration for deployer: DEPLOYER_TARGETS\.x\.kind/,
    );
    expect(() => loadDeployerConfig({ DEPLOYER_TARGETS: '{' })).toThrow(/DEPLOYER_TARGETS: /);
  });
});
