import { describe, expect, it } from '@jest/globals';
import { resolveTestNatsUrl, uniqueBusNames, type TestNatsSources } from './nats.js';

function sources(overrides: Partial<TestNatsSources>): TestNatsSources & { tried: string[] } {
  const tried: string[] = [];
  return {
    tried,
    envUrl: undefined,
    defaultUrl: 'nats://local:4222',
    probe: (url) => {
      tried.push(url);
      return Promise.resolve(`no NATS answers at ${url}`);
    },
    startContainer: () => {
      tried.push('container');
      return Promise.resolve(undefined);
    },
    ...overrides,
  };
}

describe('resolveTestNatsUrl', () => {
  it('takes NATS_URL when it answers, without looking further', async () => {
    const s = sources({ envUrl: 'nats://ci:4222', probe: () => Promise.resolve(undefined) });
    await expect(resolveTestNatsUrl(s)).resolves.toBe('nats://ci:4222');
    expect(s.tried).toEqual([]);
  });

  it('fails at once, with the reason, when NATS_URL is set but unusable', async () => {
    const s = sources({ envUrl: 'nats://ci:4222' });
    await expect(resolveTestNatsUrl(s)).rejects.toThrow(
      'NATS_URL is set, but no NATS answers at nats://ci:4222.',
    );
    expect(s.tried).toEqual(['nats://ci:4222']);
  });

  it('then the local default, then a container', async () => {
    const s = sources({ startContainer: () => Promise.resolve('nats://container:4222') });
    await expect(resolveTestNatsUrl(s)).resolves.toBe('nats://container:4222');
    expect(s.tried).toEqual(['nats://local:4222']);
  });

  it('says how to start NATS when nothing is available', async () => {
    const s = sources({});
    await expect(resolveTestNatsUrl(s)).rejects.toThrow(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js',
    );
    expect(s.tried).toEqual(['nats://local:4222', 'container']);
  });
});

describe('uniqueBusNames', () => {
  it('gives distinct names usable as a subject token and a stream name prefix', () => {
    const a = uniqueBusNames();
    const b = uniqueBusNames();
    expect(a.subjectRoot).not.toBe(b.subjectRoot);
    expect(a.streamPrefix).not.toBe(b.streamPrefix);
    expect(a.subjectRoot).toMatch(/^[a-z0-9]+$/);
    expect(a.streamPrefix).toMatch(/^[A-Z0-9]+$/);
  });
});
