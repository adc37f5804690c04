import { describe, expect, it } from '@jest/globals';
import { branchMatches } from './branch-match.js';

describe('branchMatches', () => {
  it('matches exact names and globs, * within a segment and ** across', () => {
    expect(branchMatches(['main'], 'main')).toBe(true);
    expect(branchMatches(['main'], 'maint')).toBe(false);
    expect(branchMatches(['release/*'], 'release/1.2')).toBe(true);
    expect(branchMatches(['release/*'], 'release/1.2/hotfix')).toBe(false);
    expect(branchMatches(['feature/**'], 'feature/a/b')).toBe(true);
    expect(branchMatches(['main', 'release/*'], 'release/2')).toBe(true);
  });

  it('lets negated patterns exclude, alone or after inclusions', () => {
    expect(branchMatches(['!wip/**'], 'main')).toBe(true);
    expect(branchMatches(['!wip/**'], 'wip/x')).toBe(false);
    expect(branchMatches(['feature/**', '!feature/skip-*'], 'feature/skip-ci')).toBe(false);
    expect(branchMatches(['feature/**', '!feature/skip-*'], 'feature/login')).toBe(true);
  });

  it('matches every branch without patterns, and no branch (a tag push) only then', () => {
    expect(branchMatches(undefined, 'anything')).toBe(true);
    expect(branchMatches([], 'anything')).toBe(true);
    expect(branchMatches(undefined, undefined)).toBe(true);
    expect(branchMatches(['main'], undefined)).toBe(false);
  });
});
