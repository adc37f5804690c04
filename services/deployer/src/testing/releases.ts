import { type Release } from '../release/release.js';
import { type ReleaseJournal } from '../release/release-runner.js';

let counter = 0;

/** A release as the deploy handler makes it from a stage's settings. */
export function release(
  app: string,
  image: string,
  options: Partial<Omit<Release, 'options'>> & { options?: Partial<Release['options']> } = {},
): Release {
  counter += 1;
  const { options: releaseOptions, ...rest } = options;
  return {
    id: `exec-${counter}/deploy/1`,
    executionId: `exec-${counter}`,
    stageId: 'deploy',
    attempt: 1,
    application: app,
    environment: 'production',
    namespace: 'production',
    strategy: 'rolling',
    state: 'requested',
    image,
    env: { NODE_ENV: 'production' },
    servicePath: app,
    overrides: {},
    outputs: {},
    ...rest,
    options: {
      keepPreviousForMs: 0,
      steps: [25, 50, 100],
      stepPauseMs: 0,
      canaryReplicas: 1,
      baselineReplicas: 1,
      ...releaseOptions,
    },
  };
}

/** Records what the runner reports, for tests to read. */
export class MemoryJournal implements ReleaseJournal {
  readonly states: string[] = [];
  readonly messages: string[] = [];

  transitioned(release: Release, detail: string): Promise<void> {
    if (this.states.at(-1) !== release.state) this.states.push(release.state);
    this.messages.push(`${release.state}: ${detail}`);
    return Promise.resolve();
  }

  progress(_release: Release, message: string): Promise<void> {
    this.messages.push(message);
    return Promise.resolve();
  }
}
