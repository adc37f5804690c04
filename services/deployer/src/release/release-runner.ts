import { autoscalingEnabled, minReplicasOf } from '../manifests/builders.js';
import { trackName, type Track } from '../manifests/labels.js';
import { type ApplicationInput, type EnvironmentDefaults } from '../manifests/manifest-input.js';
import { AbortedError, throwIfAborted } from '../kube/rollout-tracker.js';
import {
  type AppScope,
  type DeployTarget,
  type ProductionState,
  type Routing,
  type Workload,
} from '../targets/deploy-target.js';
import { type Cleanup, type ReleaseEvent, transition } from './release-machine.js';
import { type Release } from './release.js';

/** Where the runner records what happens: each transition (persisted with its events) and progress. */
export interface ReleaseJournal {
  transitioned(release: Release, detail: string): Promise<void>;
  progress(release: Release, message: string): Promise<void>;
}

/** A refused transition: the command does not fit the release's state. */
export class ReleaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseRefusedError';
  }
}

export interface RunContext {
  target: DeployTarget;
  defaults: EnvironmentDefaults;
  journal: ReleaseJournal;
  /** The stage's deadline (epoch ms): rollouts not healthy by then fail. */
  deadlineAt: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** How long cleanups wait for production to be healthy again, whatever the stage's deadline. */
const CLEANUP_WAIT_MS = 120_000;

/** The other blue-green slot: `<app>` and `<app>-alt` take turns as production. */
export function otherSlot(app: string, current: string): string {
  return current === app ? `${app}-alt` : app;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(String(signal.reason ?? 'aborted')));
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(String(signal?.reason ?? 'aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs releases through the state machine with the four strategies, on any DeployTarget: deploy,
 * promote, rollback, abort, and the cleanup every transition owes.
 */
export class ReleaseRunner {
  constructor(private readonly ctx: RunContext) {}

  private get target(): DeployTarget {
    return this.ctx.target;
  }

  private scope(release: Release): AppScope {
    return { app: release.application, namespace: release.namespace };
  }

  appInput(release: Release): ApplicationInput {
    return {
      app: release.application,
      namespace: release.namespace,
      servicePath: release.servicePath,
      overrides: release.overrides,
      defaults: this.ctx.defaults,
    };
  }

  private workload(
    release: Release,
    name: string,
    track: Track,
    spec: { image: string; env: Record<string, string>; replicas: number; run?: Workload['run'] },
  ): Workload {
    return {
      ...this.appInput(release),
      name,
      track,
      image: spec.image,
      env: spec.env,
      replicas: spec.replicas,
      releaseId: release.id,
      analysis: track !== 'stable' && release.options.trafficPercent !== undefined,
      ...(spec.run ? { run: spec.run } : {}),
    };
  }

  /** Production's size after a release: what was asked, else what runs; never below an HPA's count. */
  private productionReplicas(release: Release, current: ProductionState | undefined): number {
    const asked = release.options.replicas ?? current?.replicas ?? 1;
    if (autoscalingEnabled(release) && this.target.kind === 'kubernetes')
      return Math.max(asked, current?.autoscaled ? current.replicas : 0, minReplicasOf(release));
    return asked;
  }

  private async move(release: Release, event: ReleaseEvent, detail: string): Promise<Cleanup[]> {
    const next = transition(release.strategy, release.state, event);
    if ('refused' in next) throw new ReleaseRefusedError(next.refused);
    release.state = next.to;
    await this.ctx.journal.transitioned(release, detail);
    return next.cleanup;
  }

  private wait(): { deadlineAt: number; signal?: AbortSignal; onProgress: (m: string) => void } {
    return {
      deadlineAt: this.ctx.deadlineAt,
      ...(this.ctx.signal ? { signal: this.ctx.signal } : {}),
      onProgress: () => undefined,
    };
  }

  private async healthy(release: Release, deployment: string): Promise<void> {
    await this.target.awaitHealthy(this.scope(release), deployment, {
      ...this.wait(),
      onProgress: (message) => void this.ctx.journal.progress(release, `${deployment}: ${message}`),
    });
  }

  /** deploy / canary-deploy: requested -> deploying -> healthy, or failed / aborted with its cleanup. */
  async deploy(release: Release): Promise<void> {
    // A release found `deploying` is resumed (its replica stopped mid-way): apply is idempotent.
    if (release.state !== 'deploying')
      await this.move(release, 'start', `${release.strategy} release of ${release.image}`);
    try {
      throwIfAborted(this.ctx.signal);
      release.previous ??= await this.target.production(this.scope(release));
      await this.deployWith(release);
      const cleanup = await this.move(
        release,
        'healthy',
        `${release.deployment ?? release.application} is healthy`,
      );
      await this.cleanUp(release, cleanup);
      if (cleanup.length > 0) await this.ctx.journal.transitioned(release, 'healthy, cleanup done');
    } catch (error) {
      await this.fail(release, error);
      throw error;
    }
  }

  private async deployWith(release: Release): Promise<void> {
    const previous = release.previous;
    const app = this.appInput(release);
    const spec = { image: release.image, env: release.env, ...(release.local ? { run: release.local } : {}) };
    if (release.strategy === 'canary') return this.deployCanary(release, previous);
    if (!previous || release.strategy === 'rolling') {
      const name = previous?.deployment ?? release.application;
      release.deployment = name;
      await Promise.all([
        this.target.applyApplication(app, { kind: 'all' }, name),
        this.target.applyWorkload(
          this.workload(release, name, 'stable', {
            ...spec,
            replicas: this.productionReplicas(release, previous),
          }),
        ),
      ]);
      await this.healthy(release, name);
      return;
    }
    const name = otherSlot(release.application, previous.deployment);
    release.deployment = name;
    const total = this.productionReplicas(release, previous);
    if (release.strategy === 'blue-green') {
      await this.target.route(app, { kind: 'only', deployment: previous.deployment, image: previous.image });
      await this.target.applyWorkload(this.workload(release, name, 'stable', { ...spec, replicas: total }));
      await this.healthy(release, name);
      await this.target.route(app, { kind: 'only', deployment: name, image: release.image });
      return;
    }
    for (const [index, percent] of release.options.steps.entries()) {
      throwIfAborted(this.ctx.signal);
      const moved = Math.min(total, Math.ceil((total * percent) / 100));
      await this.target.applyWorkload(this.workload(release, name, 'stable', { ...spec, replicas: moved }));
      await this.healthy(release, name);
      await this.target.scale(this.scope(release), previous.deployment, total - moved);
      await this.ctx.journal.progress(
        release,
        `step ${index + 1}: ${percent} % (${moved} of ${total}) healthy`,
      );
      if (percent < 100) await sleep(release.options.stepPauseMs, this.ctx.signal);
    }
  }

  private async deployCanary(release: Release, previous: ProductionState | undefined): Promise<void> {
    const baselineImage = release.options.baselineImage ?? previous?.image;
    if (!baselineImage || !previous)
      throw new Error(
        `no production Deployment of ${release.application} in ${release.namespace} to run a canary beside`,
      );
    const percent = release.options.trafficPercent;
    // trafficPercent is each one's share: together they get twice that.
    const routing: Routing =
      percent === undefined ? { kind: 'all' } : { kind: 'weighted', percent: Math.min(100, 2 * percent) };
    const baseline = trackName(release.application, 'baseline');
    const canary = trackName(release.application, 'canary');
    release.deployment = canary;
    await this.target.applyApplication(this.appInput(release), routing, previous.deployment);
    await this.target.applyWorkload(
      this.workload(release, baseline, 'baseline', {
        image: baselineImage,
        env: previous.env,
        replicas: release.options.baselineReplicas,
        ...(previous.run ? { run: previous.run } : release.local ? { run: release.local } : {}),
      }),
    );
    await this.target.applyWorkload(
      this.workload(release, canary, 'canary', {
        image: release.image,
        env: release.env,
        replicas: release.options.canaryReplicas,
        ...(release.local ? { run: release.local } : {}),
      }),
    );
    await Promise.all([this.healthy(release, baseline), this.healthy(release, canary)]);
    release.outputs = {
      ...release.outputs,
      baselineImage,
      canaryImage: release.image,
      baselineScope: baseline,
      canaryScope: canary,
      location: release.namespace,
      baselineTargets: this.target.metricsTargets(this.scope(release), baseline),
      canaryTargets: this.target.metricsTargets(this.scope(release), canary),
    };
  }

  /** promote: production takes the canary's image (and env), then baseline and canary go. */
  async promote(release: Release, image = release.image): Promise<void> {
    const current = await this.target.production(this.scope(release));
    if (!current)
      throw new ReleaseRefusedError(`no production Deployment of ${release.application} to promote`);
    if (release.state !== 'promoting')
      await this.move(release, 'promote', `promoting ${image} to ${current.deployment}`);
    try {
      const replicas = current.autoscaled
        ? Math.max(current.replicas, release.previous?.replicas ?? 0)
        : (release.previous?.replicas ?? current.replicas);
      await this.target.applyWorkload(
        this.workload(release, current.deployment, 'stable', {
          image,
          env: release.env,
          replicas,
          ...(release.local ? { run: release.local } : {}),
        }),
      );
      await this.healthy(release, current.deployment);
      release.outputs = { image, previousImage: current.image };
      const cleanup = await this.move(release, 'healthy', `${current.deployment} runs ${image}`);
      await this.cleanUp(release, cleanup);
      await this.ctx.journal.transitioned(release, 'promoted, baseline and canary removed');
    } catch (error) {
      await this.fail(release, error);
      throw error;
    }
  }

  /**
   * rollback: baseline and canary go; production goes back to `image` (default: the image before the
   * release) unless it runs it already. A canary that was never promoted leaves production as it is.
   */
  async rollback(release: Release, image?: string): Promise<void> {
    const untouched = release.strategy === 'canary' && release.state !== 'promoted';
    if (release.state !== 'rolling-back')
      await this.move(
        release,
        'rollback',
        untouched ? 'removing baseline and canary' : 'rolling production back',
      );
    try {
      const kept = release.retire;
      if (kept && release.previous && (image === undefined || image === release.previous.image)) {
        await this.switchBack(release, release.previous);
      } else {
        const current = await this.target.production(this.scope(release));
        const wanted = image ?? (untouched ? current?.image : release.previous?.image);
        if (current && wanted && current.image !== wanted) {
          const before = release.previous?.image === wanted ? release.previous : undefined;
          await this.target.applyWorkload(
            this.workload(release, current.deployment, 'stable', {
              image: wanted,
              env: before?.env ?? current.env,
              replicas: current.autoscaled
                ? Math.max(current.replicas, before?.replicas ?? 0)
                : current.replicas,
              ...(before?.run ? { run: before.run } : current.run ? { run: current.run } : {}),
            }),
          );
          await this.healthy(release, current.deployment);
        }
        release.outputs = { image: wanted ?? current?.image ?? '' };
      }
      const cleanup = await this.move(
        release,
        'healthy',
        `production runs ${String(release.outputs['image'])}`,
      );
      await this.cleanUp(release, cleanup);
      await this.ctx.journal.transitioned(release, 'rolled back');
    } catch (error) {
      await this.fail(release, error);
      throw error;
    }
  }

  /**
   * Blue-green's instant rollback, while the previous Deployment is still kept (scaled down): it gets
   * its replicas back, takes the traffic again, and the release's Deployment goes.
   */
  private async switchBack(release: Release, previous: ProductionState): Promise<void> {
    const app = this.appInput(release);
    await this.target.scale(this.scope(release), previous.deployment, previous.replicas);
    await this.healthy(release, previous.deployment);
    await this.target.route(app, { kind: 'only', deployment: previous.deployment, image: previous.image });
    await this.target.applyApplication(app, { kind: 'all' }, previous.deployment);
    if (release.deployment && release.deployment !== previous.deployment)
      await this.target.remove(this.scope(release), release.deployment);
    delete release.retire;
    release.outputs = { image: previous.image };
  }

  /** abort: from any active state, with the cleanup that state owes (a cancel, or a newer release). */
  async abort(release: Release, reason: string): Promise<void> {
    release.reason = reason;
    const cleanup = await this.move(release, 'abort', reason);
    await this.cleanUp(release, cleanup);
    await this.ctx.journal.transitioned(release, `aborted: ${reason}; cleanup done`);
  }

  /** After a failure or an abort in the middle of work: move, then clean up what that state owes. */
  private async fail(release: Release, error: unknown): Promise<void> {
    const aborted = error instanceof AbortedError;
    release.reason = error instanceof Error ? error.message : String(error);
    const next = transition(release.strategy, release.state, aborted ? 'abort' : 'failed');
    if ('refused' in next) return;
    release.state = next.to;
    await this.ctx.journal.transitioned(release, release.reason);
    try {
      await this.cleanUp(release, next.cleanup);
    } catch (cleanupError) {
      release.reason += `; cleanup failed: ${cleanupError instanceof Error ? cleanupError.message : String(cleanupError)}`;
    }
    await this.ctx.journal.transitioned(release, `${release.state}: cleanup done`);
  }

  /** Performs the cleanups a transition owes, with their own deadline (not the aborted stage's). */
  async cleanUp(release: Release, cleanups: Cleanup[]): Promise<void> {
    const scope = this.scope(release);
    const app = this.appInput(release);
    const previous = release.previous;
    const now = this.ctx.now?.() ?? Date.now();
    const cleanupWait = { deadlineAt: now + CLEANUP_WAIT_MS };
    for (const cleanup of cleanups) {
      switch (cleanup) {
        case 'remove-canary':
          await this.target.remove(scope, trackName(release.application, 'baseline'));
          await this.target.remove(scope, trackName(release.application, 'canary'));
          await this.target.route(app, { kind: 'all' });
          break;
        case 'restore-production': {
          if (!previous) {
            if (release.deployment && release.strategy !== 'canary')
              await this.target.remove(scope, release.deployment);
            break;
          }
          await this.target.applyWorkload(
            this.workload(release, previous.deployment, 'stable', {
              image: previous.image,
              env: previous.env,
              replicas: previous.replicas,
              ...(previous.run ? { run: previous.run } : {}),
            }),
          );
          await this.target.awaitHealthy(scope, previous.deployment, cleanupWait);
          break;
        }
        case 'remove-new': {
          if (!previous) {
            if (release.deployment) await this.target.remove(scope, release.deployment);
            break;
          }
          await this.target.scale(scope, previous.deployment, previous.replicas);
          await this.target.route(app, { kind: 'all' });
          if (release.deployment && release.deployment !== previous.deployment)
            await this.target.remove(scope, release.deployment);
          break;
        }
        case 'retire-previous': {
          if (!previous || !release.deployment || release.deployment === previous.deployment) break;
          await this.target.applyApplication(app, { kind: 'all' }, release.deployment);
          const keep = release.options.keepPreviousForMs;
          if (keep <= 0) {
            await this.target.remove(scope, previous.deployment);
          } else {
            await this.target.scale(scope, previous.deployment, 0);
            release.retire = { deployment: previous.deployment, at: new Date(now + keep).toISOString() };
          }
          break;
        }
        case 'delete-previous':
          if (!previous || !release.deployment || release.deployment === previous.deployment) break;
          await this.target.applyApplication(app, { kind: 'all' }, release.deployment);
          await this.target.remove(scope, previous.deployment);
          break;
      }
    }
  }

  /** Deletes a blue-green release's previous Deployment once its keeping time is over. */
  async retire(release: Release): Promise<void> {
    if (!release.retire) return;
    await this.target.remove(this.scope(release), release.retire.deployment);
    delete release.retire;
    await this.ctx.journal.transitioned(release, 'previous Deployment deleted');
  }

  /**
   * Outputs of a finished deploy stage (a canary strategy adds the canary-deploy ones), and where
   * the application answers when the target knows (the local provider's proxy), for smoke tests.
   */
  async deployOutputs(release: Release): Promise<Record<string, unknown>> {
    const scope = this.scope(release);
    const revision = await this.target.revision(scope, release.deployment ?? release.application);
    const endpoint = this.target.endpoint(scope);
    return {
      image: release.image,
      previousImage: release.previous?.image ?? '',
      revision,
      ...(endpoint ? { endpoint } : {}),
      ...release.outputs,
    };
  }
}
