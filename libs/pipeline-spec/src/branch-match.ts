import picomatch from 'picomatch';

/**
 * Whether a branch matches a list of glob patterns (`main`, `release/*`, `feature/**`, `!wip/**`).
 * `*` stays within one path segment, `**` crosses them. Negated patterns exclude; a list of only
 * negated patterns matches every other branch. No patterns at all matches every branch; no branch
 * (a tag push) matches only when there are no patterns.
 */
export function branchMatches(globs: readonly string[] | undefined, branch: string | undefined): boolean {
  if (globs === undefined || globs.length === 0) return true;
  if (branch === undefined) return false;
  const excluded = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const included = globs.filter((glob) => !glob.startsWith('!'));
  const matches = (patterns: string[]) =>
    patterns.length > 0 && picomatch.isMatch(branch, patterns, { dot: true });
  return (included.length === 0 || matches(included)) && !matches(excluded);
}
