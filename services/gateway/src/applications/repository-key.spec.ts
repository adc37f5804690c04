import { describe, expect, it } from '@jest/globals';
import { repositoryKey } from './repository-key.js';

describe('repositoryKey', () => {
  it('gives one key for every way a repository is written', () => {
    for (const address of [
      'https://github.com/Acme/Orders',
      'https://github.com/acme/orders.git',
      'git@github.com:acme/orders.git',
      'ssh://git@github.com/acme/orders.git',
      'git://github.com/acme/orders.git',
      'github.com/acme/orders/',
      'https://user@github.com/acme/orders',
    ])
      expect(repositoryKey(address)).toBe('github.com/acme/orders');
  });

  it('keeps nested groups and self-hosted hosts with ports', () => {
    expect(repositoryKey('https://gitlab.example.com:8443/platform/team/orders.git')).toBe(
      'gitlab.example.com/platform/team/orders',
    );
    expect(repositoryKey('git@gitlab.example.com:platform/team/orders.git')).toBe(
      'gitlab.example.com/platform/team/orders',
    );
  });

  it('knows a repository on this machine however its file URL is written', () => {
    for (const address of [
      'file:///srv/git/orders.git',
      'file://localhost/srv/git/orders',
      'FILE:///srv/git/orders/',
    ])
      expect(repositoryKey(address)).toBe('localhost/srv/git/orders');
  });

  it('refuses what is not a repository address', () => {
    expect(repositoryKey('')).toBeUndefined();
    expect(repositoryKey('https://github.com/')).toBeUndefined();
    expect(repositoryKey('http://[::1')).toBeUndefined();
  });
});
