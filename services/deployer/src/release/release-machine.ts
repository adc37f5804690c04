/**
 * The release state machine: which transitions are allowed, and the cleanup each one owes. Pure data
 * and functions; the release runner performs the cleanups against a target (Kubernetes or local).
 *
 *   requested -> deploying -> healthy -> promoting -> promoted
 *                    |           |          |
 *                    v           v          v
 *                  failed    rolling-back -> rolled-back
 *   abort: from any active state to aborted, with the cleanup that state owes.
 */

export const RELEASE_STATES = [
  'requested',
  'deploying',
  'healthy',
  'promoting',
  'promoted',
  'rolling-back',
  'rolled-back',
  'failed',
  'aborted',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const RELEASE_STRATEGIES = ['rolling', 'blue-green', 'rolling-red-black', 'canary'] as const;
export type ReleaseStrategy = (typeof RELEASE_STRATEGIES)[number];

export const RELEASE_EVENTS = ['start', 'healthy', 'failed', 'promote', 'rollback', 'abort'] as const;
export type ReleaseEvent = (typeof RELEASE_EVENTS)[number];

/**
 * What a transition leaves to clean up:
 * - `remove-canary`: delete `<app>-baseline` and `<app>-canary` (and the canary Service and Ingress),
 *   and route all traffic to production again.
 * - `restore-production`: put production back as it was before the release (image, env, replicas).
 * - `remove-new`: delete the Deployment the release added beside production (blue-green, rolling
 *   red/black), give the previous one its replicas and all the traffic again.
 * - `retire-previous`: scale the previous Deployment to 0 now and delete it after `keepPreviousFor`.
 * - `delete-previous`: delete the previous Deployment now.
 */
export const CLEANUPS = [
  'remove-canary',
  'restore-production',
  'remove-new',
  'retire-previous',
  'delete-previous',
] as const;
export type Cleanup = (typeof CLEANUPS)[number];

/** States a release ends in; nothing more happens to it except a rollback of a promoted or failed one. */
export const FINAL_STATES: readonly ReleaseState[] = ['promoted', 'rolled-back', 'failed', 'aborted'];

/** States in which the release still holds resources or work: a newer release aborts it first. */
export const ACTIVE_STATES: readonly ReleaseState[] = [
  'requested',
  'deploying',
  'healthy',
  'promoting',
  'rolling-back',
];

export type Transition = { to: ReleaseState; cleanup: Cleanup[] } | { refused: string };

/** What undoing an unfinished deploy takes, by strategy. */
const UNDO_DEPLOY: Record<ReleaseStrategy, Cleanup[]> = {
  rolling: ['restore-production'],
  'blue-green': ['remove-new'],
  'rolling-red-black': ['remove-new'],
  canary: ['remove-canary'],
};

/** What a deploy that became healthy still owes, by strategy. */
const AFTER_HEALTHY: Record<ReleaseStrategy, Cleanup[]> = {
  rolling: [],
  'blue-green': ['retire-previous'],
  'rolling-red-black': ['delete-previous'],
  canary: [],
};

export function transition(strategy: ReleaseStrategy, from: ReleaseState, event: ReleaseEvent): Transition {
  const to = (state: ReleaseState, cleanup: Cleanup[] = []): Transition => ({ to: state, cleanup });
  const refuse = (): Transition => ({ refused: `a ${from} release cannot ${event}` });
  switch (from) {
    case 'requested':
      if (event === 'start') return to('deploying');
      if (event === 'abort') return to('aborted');
      return refuse();
    case 'deploying':
      if (event === 'healthy') return to('healthy', AFTER_HEALTHY[strategy]);
      if (event === 'failed') return to('failed', UNDO_DEPLOY[strategy]);
      if (event === 'abort') return to('aborted', UNDO_DEPLOY[strategy]);
      return refuse();
    case 'healthy':
      if (event === 'promote')
        return strategy === 'canary'
          ? to('promoting')
          : { refused: `a ${strategy} release has nothing to promote` };
      if (event === 'rollback') return to('rolling-back');
      // A healthy canary still has its baseline and canary running; other strategies are done.
      if (event === 'abort') return to('aborted', strategy === 'canary' ? ['remove-canary'] : []);
      return refuse();
    case 'promoting':
      if (event === 'healthy') return to('promoted', ['remove-canary']);
      if (event === 'failed') return to('failed', ['remove-canary', 'restore-production']);
      if (event === 'abort') return to('aborted', ['remove-canary', 'restore-production']);
      return refuse();
    case 'rolling-back':
      if (event === 'healthy') return to('rolled-back', ['remove-canary']);
      if (event === 'failed' || event === 'abort')
        return to(event === 'failed' ? 'failed' : 'aborted', ['remove-canary']);
      return refuse();
    case 'promoted':
    case 'failed':
      if (event === 'rollback') return to('rolling-back');
      return refuse();
    case 'rolled-back':
    case 'aborted':
      return refuse();
  }
}

/**
 * Whether a release in this state must be aborted (and cleaned up) before a newer one of the same
 * application and environment starts. A healthy canary still has baseline and canary running; a
 * healthy rolling, blue-green or red/black release is simply what runs, and a failed one has been
 * cleaned up already: neither stands in the way.
 */
export function supersededBy(strategy: ReleaseStrategy, state: ReleaseState): boolean {
  if (state === 'healthy') return strategy === 'canary';
  return ACTIVE_STATES.includes(state);
}
