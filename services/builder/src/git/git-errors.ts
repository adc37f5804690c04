export type CheckoutErrorCode =
  'repository-not-found' | 'authentication-failed' | 'sha-not-found' | 'file-not-found' | 'git-failed';

/** A checkout failure worded for the person who pushed: what is wrong and what to do about it. */
export class CheckoutError extends Error {
  constructor(
    readonly code: CheckoutErrorCode,
    message: string,
    /** Transient (network, a busy server): a retry may succeed. */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}

const PATTERNS: Array<{ code: Exclude<CheckoutErrorCode, 'git-failed' | 'file-not-found'>; test: RegExp }> = [
  {
    code: 'authentication-failed',
    test: /authentication failed|could not read (username|password)|terminal prompts disabled|access denied|returned error: 40[13]|permission denied \(publickey|invalid username or password|the requested url returned error: 40[13]/i,
  },
  {
    code: 'repository-not-found',
    test: /repository ('[^']*' )?not found|does not appear to be a git repository|returned error: 404|no such device or address|not a git repository/i,
  },
  {
    code: 'sha-not-found',
    test: /not our ref|couldn't find remote ref|no such remote ref|unadvertised object|did not send all necessary objects|reference is not a tree|bad object/i,
  },
];

/** Reads git's stderr into one of the failures a user can act on. */
export function classifyGitFailure(
  stderr: string,
  context: { repository: string; sha?: string; host: string },
): CheckoutError {
  const match = PATTERNS.find((pattern) => pattern.test.test(stderr));
  switch (match?.code) {
    case 'authentication-failed':
      return new CheckoutError(
        'authentication-failed',
        `authentication failed for ${context.repository}: give the builder a token for ${context.host} ` +
          '(BUILDER_GIT_CREDENTIALS) with read access to this repository, or check that it has not expired',
      );
    case 'repository-not-found':
      return new CheckoutError(
        'repository-not-found',
        `repository not found: ${context.repository} (check the URL; a private repository also answers ` +
          `"not found" when the builder's credentials for ${context.host} cannot see it)`,
      );
    case 'sha-not-found':
      return new CheckoutError(
        'sha-not-found',
        `commit ${context.sha ?? '(unknown)'} is not in ${context.repository}: it was probably force-pushed ` +
          'away; push again or start the pipeline on a commit that exists',
      );
    default: {
      const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no message';
      return new CheckoutError('git-failed', `git failed on ${context.repository}: ${last}`, true);
    }
  }
}
