import {
  ReleaseChanged,
  StageEvents,
  type StageCommandData,
  type StageError,
  type StageRef,
} from '@aviary/events';
import { Database, enqueueMessage, OutboxRelay } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Logger } from 'pino';
import { type EntityManager, In, LessThanOrEqual, Like, Not } from 'typeorm';
import { type DeployerConfig } from '../config/deployer-config.js';
import { ApiRefusal } from '../kube/kube-client.js';
import { AbortedError, RolloutFailedError } from '../kube/rollout-tracker.js';
import { ManifestInvalidError } from '../manifests/validate.js';
import { ACTIVE_STATES, FINAL_STATES, type ReleaseState, supersededBy } from '../release/release-machine.js';
import { ReleaseRefusedError, ReleaseRunner, type ReleaseJournal } from '../release/release-runner.js';
import { type Release, releaseId } from '../release/release.js';
import { ReleaseOperationRow, ReleaseRow } from '../store/release.entity.js';
import { type ResolvedTarget, type TargetRegistry } from '../targets/target-registry.js';
import {
  InvalidSettingsError,
  ResolvedCanaryDeploySettings,
  ResolvedDeploySettings,
  ResolvedPromoteSettings,
  ResolvedRollbackSettings,
  canaryRelease,
  deployRelease,
  parseSettings,
} from './stage-settings.js';
import { DEPLOYER_CONFIG, TARGETS } from './tokens.js';

const SOURCE = '/aviary/deployer';
const events = StageEvents.deployer;

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/** What a failed attempt reports: the message, a code, and whether trying again can help. */
export function stageError(error: unknown): StageError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AbortedError)
    return { message: `cancelled: ${message}`, code: 'cancelled', retryable: false };
  if (error instanceof RolloutFailedError) return { message, code: 'rollout-failed', retryable: false };
  if (error instanceof ManifestInvalidError) return { message, code: 'invalid-manifest', retryable: false };
  if (error instanceof InvalidSettingsError) return { message, code: 'invalid-settings', retryable: false };
  if (error instanceof ReleaseRefusedError) return { message, code: 'refused', retryable: false };
  if (error instanceof ApiRefusal)
    return { message, code: 'kubernetes-api', retryable: error.code === undefined || error.code >= 500 };
  return { message: message || 'deploy failed', code: 'deploy-failed', retryable: true };
}

/**
 * The deployer's use cases behind its bus commands: deploy, canary-deploy, promote, rollback, cancel.
 * Each command is handled once per stage attempt (a repeated delivery finds the release or operation
 * row), its release state is persisted with the events announcing it (outbox), and a release another
 * replica left mid-way (its lease ran out) is resumed: Kubernetes applies are idempotent.
 */
@Injectable()
export class ReleaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly running = new Map<string, Running>();
  private retireTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly relay: OutboxRelay,
    @Inject(TARGETS) private readonly targets: TargetRegistry,
    @Inject(DEPLOYER_CONFIG) private readonly config: DeployerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.retireTimer = setInterval(() => {
      this.retireDue().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'retiring kept Deployments failed'),
      );
    }, this.config.retireIntervalMs);
    this.retireTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.retireTimer);
    await this.targets.close();
  }

  private meta(ref: StageRef, causationid: string | undefined, id?: string) {
    return {
      source: SOURCE,
      correlationid: ref.executionId,
      ...(causationid ? { causationid } : {}),
      ...(id ? { id } : {}),
    };
  }

  private async publish(write: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.db.transaction(write);
    this.relay.poke();
  }

  private async started(manager: EntityManager, ref: StageRef, causationid: string): Promise<void> {
    await enqueueMessage(
      manager,
      events.started,
      { ...stageRef(ref), worker: 'deployer', startedAt: new Date().toISOString() },
      this.meta(ref, causationid, `${releaseId(ref)}/started`),
    );
  }

  private async completed(
    manager: EntityManager,
    ref: StageRef,
    outputs: Record<string, unknown>,
    causationid: string,
  ) {
    await enqueueMessage(
      manager,
      events.completed,
      { ...stageRef(ref), completedAt: new Date().toISOString(), outputs },
      this.meta(ref, causationid, `${releaseId(ref)}/completed`),
    );
  }

  private async failed(manager: EntityManager, ref: StageRef, error: unknown, causationid: string) {
    await enqueueMessage(
      manager,
      events.failed,
      { ...stageRef(ref), failedAt: new Date().toISOString(), error: stageError(error), outputs: {} },
      this.meta(ref, causationid, `${releaseId(ref)}/failed`),
    );
  }

  /** Tells a finished release's stage its result again (a repeated delivery after a crash). */
  private async reportAgain(
    command: StageCommandData,
    release: Release,
    target: ResolvedTarget,
    causationid: string,
  ) {
    let result = release.result;
    if (!result) {
      // The replica stopped between the last transition and the result: work it out again.
      if (release.state === 'failed' || release.state === 'aborted') {
        const error =
          release.state === 'aborted'
            ? new AbortedError(release.reason ?? 'aborted')
            : new Error(release.reason ?? 'failed');
        result = { error: stageError(error) };
      } else {
        const runner = this.runner(target, this.journal(command, target, causationid), command.deadline);
        result = { outputs: stageOutputsOf(command, await runner.deployOutputs(release)) };
      }
    }
    const outcome = result;
    await this.publish(async (manager) => {
      if ('outputs' in outcome) await this.completed(manager, command, outcome.outputs, causationid);
      else
        await enqueueMessage(
          manager,
          events.failed,
          { ...stageRef(command), failedAt: new Date().toISOString(), error: outcome.error, outputs: {} },
          this.meta(command, causationid, `${releaseId(command)}/failed`),
        );
    });
  }

  /** Fails a command before any release exists (bad settings, no target), once. */
  private async failOnce(command: StageCommandData, error: unknown, causationid: string): Promise<void> {
    await this.publish(async (manager) => {
      await this.started(manager, command, causationid);
      await this.failed(manager, command, error, causationid);
    });
  }

  private journal(command: StageRef, target: ResolvedTarget, causationid: string): ReleaseJournal {
    return {
      transitioned: (release, detail) =>
        this.publish(async (manager) => {
          await saveRelease(manager, release, this.leaseUntil());
          await enqueueMessage(
            manager,
            ReleaseChanged,
            releaseChanged(release, target, detail),
            this.meta(release, causationid),
          );
        }),
      progress: (_release, message) =>
        this.publish(async (manager) => {
          await enqueueMessage(
            manager,
            events.progress,
            { ...stageRef(command), message },
            this.meta(command, causationid),
          );
        }),
    };
  }

  private leaseUntil(): Date {
    return new Date(Date.now() + this.config.leaseMs);
  }

  private runner(target: ResolvedTarget, journal: ReleaseJournal, deadline: string, signal?: AbortSignal) {
    return new ReleaseRunner({
      target: target.target,
      defaults: target.defaults,
      journal,
      deadlineAt: Date.parse(deadline),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Runs `work` as the one in-process run of `key`, with a heartbeat that extends the release's lease
   * and aborts the work when a cancel reached another replica.
   */
  private async track(
    key: string,
    releaseIdToWatch: string | undefined,
    work: (signal: AbortSignal) => Promise<void>,
  ) {
    const controller = new AbortController();
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.running.set(key, { controller, done });
    const heartbeat = releaseIdToWatch
      ? setInterval(
          () => {
            this.heartbeat(releaseIdToWatch, controller).catch((error: unknown) =>
              this.logger.warn({ err: error }, 'release heartbeat failed'),
            );
          },
          Math.max(50, Math.floor(this.config.leaseMs / 3)),
        )
      : undefined;
    try {
      await work(controller.signal);
    } finally {
      clearInterval(heartbeat);
      this.running.delete(key);
      finish();
    }
  }

  private async heartbeat(id: string, controller: AbortController): Promise<void> {
    const row = await this.db.transaction(async (manager) => {
      await manager.update(ReleaseRow, { id }, { leaseUntil: this.leaseUntil() });
      return manager.findOne(ReleaseRow, { where: { id } });
    });
    if (!row?.cancelReason) return;
    // Taken once: a later operation on the same release (a rollback after this promote) starts clean.
    await this.db.dataSource.getRepository(ReleaseRow).update({ id }, { cancelReason: null });
    if (!controller.signal.aborted) controller.abort(row.cancelReason);
  }

  /** deploy and canary-deploy: one release per stage attempt. */
  async deploy(command: StageCommandData, causationid: string): Promise<void> {
    const id = releaseId(command);
    if (this.running.has(id)) return;
    let release: Release;
    let target: ResolvedTarget;
    let dryRun = false;
    try {
      if (command.stageType === 'canary-deploy') {
        release = canaryRelease(command, parseSettings(ResolvedCanaryDeploySettings, command));
      } else {
        const settings = parseSettings(ResolvedDeploySettings, command);
        release = deployRelease(command, settings);
        dryRun = settings.dryRun;
      }
      target = this.targets.forEnvironment(release.environment);
    } catch (error) {
      await this.failOnce(command, error, causationid);
      return;
    }
    if (dryRun) return this.dryRun(command, release, target, causationid);

    const claimed = await this.db.transaction(async (manager) => {
      const row = await manager.findOne(ReleaseRow, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) {
        await insertRelease(manager, release, this.leaseUntil());
        await enqueueMessage(
          manager,
          ReleaseChanged,
          releaseChanged(release, target, `${release.strategy} release of ${release.image} requested`),
          this.meta(release, causationid, `${release.id}/requested`),
        );
        await this.started(manager, command, causationid);
        return release;
      }
      if (row.leaseUntil && row.leaseUntil.getTime() > Date.now()) return undefined;
      const state = row.state as ReleaseState;
      if (state === 'healthy' || FINAL_STATES.includes(state)) return { report: row.release };
      row.leaseUntil = this.leaseUntil();
      await manager.save(row);
      return row.release;
    });
    this.relay.poke();
    if (!claimed) return;
    if ('report' in claimed) return this.reportAgain(command, claimed.report, target, causationid);

    await this.track(id, id, async (signal) => {
      await this.supersede(claimed, target, causationid);
      const journal = this.journal(command, target, causationid);
      const runner = this.runner(target, journal, command.deadline, signal);
      try {
        await runner.deploy(claimed);
        const outputs = stageOutputsOf(command, await runner.deployOutputs(claimed));
        claimed.result = { outputs };
        await this.publish(async (manager) => {
          await saveRelease(manager, claimed, null);
          await this.completed(manager, command, outputs, causationid);
        });
      } catch (error) {
        this.logger.info({ release: id, err: error }, 'release failed');
        claimed.result = { error: stageError(error) };
        await this.publish(async (manager) => {
          await saveRelease(manager, claimed, null);
          await this.failed(manager, command, error, causationid);
        });
      }
    });
  }

  /** A newer release of the same application and environment aborts the active ones first. */
  private async supersede(release: Release, target: ResolvedTarget, causationid: string): Promise<void> {
    const others = await this.db.dataSource.getRepository(ReleaseRow).find({
      where: {
        application: release.application,
        environment: release.environment,
        state: In([...ACTIVE_STATES]),
        id: Not(release.id),
      },
    });
    for (const other of others) {
      if (!supersededBy(other.release.strategy, other.release.state)) continue;
      const local = this.running.get(other.id);
      const reason = `superseded by release ${release.id}`;
      if (local) {
        local.controller.abort(reason);
        await local.done;
        continue;
      }
      await this.abortHeld(other, reason, causationid, target).catch((error: unknown) =>
        this.logger.warn({ err: error, release: other.id }, 'abort of a superseded release failed'),
      );
    }
  }

  /**
   * Aborts a release no handler of this replica runs, with the cleanup its state owes; one another
   * replica still holds (its lease not over) is flagged for that replica's heartbeat instead.
   */
  private async abortHeld(
    row: ReleaseRow,
    reason: string,
    causationid: string,
    target = this.targets.forEnvironment(row.environment),
  ): Promise<void> {
    if (row.leaseUntil && row.leaseUntil.getTime() > Date.now()) {
      await this.db.dataSource.getRepository(ReleaseRow).update({ id: row.id }, { cancelReason: reason });
      return;
    }
    await this.runner(
      target,
      this.journal(row.release, target, causationid),
      new Date(Date.now() + 120_000).toISOString(),
    ).abort(row.release, reason);
  }

  private async dryRun(
    command: StageCommandData,
    release: Release,
    target: ResolvedTarget,
    causationid: string,
  ) {
    const runner = this.runner(target, this.journal(command, target, causationid), command.deadline);
    try {
      const current = await target.target.production({
        app: release.application,
        namespace: release.namespace,
      });
      const name = current?.deployment ?? release.application;
      const diff = await target.target.dryRun(
        runner.appInput(release),
        {
          ...runner.appInput(release),
          name,
          track: 'stable',
          image: release.image,
          env: release.env,
          replicas: release.options.replicas ?? current?.replicas ?? 1,
          releaseId: release.id,
          ...(release.local ? { run: release.local } : {}),
        },
        { kind: 'all' },
      );
      const revision = current
        ? await target.target.revision({ app: release.application, namespace: release.namespace }, name)
        : '0';
      await this.publish(async (manager) => {
        await this.started(manager, command, causationid);
        await this.completed(
          manager,
          command,
          { image: release.image, previousImage: current?.image ?? '', revision, diff },
          causationid,
        );
      });
    } catch (error) {
      await this.failOnce(command, error, causationid);
    }
  }

  /** The release a promote or rollback acts on: the newest of the application in the environment. */
  private async latest(application: string, environment: string, states: readonly ReleaseState[]) {
    return this.db.dataSource.getRepository(ReleaseRow).findOne({
      where: { application, environment, state: In([...states]) },
      order: { createdAt: 'DESC' },
    });
  }

  async promote(command: StageCommandData, causationid: string): Promise<void> {
    await this.operate(command, causationid, 'promote');
  }

  async rollback(command: StageCommandData, causationid: string): Promise<void> {
    await this.operate(command, causationid, 'rollback');
  }

  private async operate(command: StageCommandData, causationid: string, action: 'promote' | 'rollback') {
    const opId = releaseId(command);
    if (this.running.has(opId)) return;
    let settings: { environment: string; application: string; image?: string | undefined };
    let target: ResolvedTarget;
    try {
      settings = parseSettings(
        action === 'promote' ? ResolvedPromoteSettings : ResolvedRollbackSettings,
        command,
      );
      target = this.targets.forEnvironment(settings.environment);
    } catch (error) {
      await this.failOnce(command, error, causationid);
      return;
    }
    const states: readonly ReleaseState[] =
      action === 'promote'
        ? ['healthy', 'promoting']
        : ['healthy', 'promoting', 'promoted', 'rolling-back', 'failed'];
    const row = await this.latest(settings.application, settings.environment, states);
    const release = row?.release;
    const claimed = await this.db.transaction(async (manager) => {
      const op = await manager.findOne(ReleaseOperationRow, {
        where: { id: opId },
        lock: { mode: 'pessimistic_write' },
      });
      if (op?.status === 'done') return false;
      if (op && release) {
        // Running on another replica while its heartbeat holds the release: leave it there.
        const held = await manager.findOne(ReleaseRow, { where: { id: release.id } });
        if (held?.leaseUntil && held.leaseUntil.getTime() > Date.now()) return false;
      }
      if (release) await manager.update(ReleaseRow, { id: release.id }, { leaseUntil: this.leaseUntil() });
      if (!op) {
        await manager.insert(ReleaseOperationRow, {
          id: opId,
          releaseId: release?.id ?? '',
          action,
          status: 'running',
          createdAt: new Date(),
        });
        await this.started(manager, command, causationid);
      }
      return true;
    });
    this.relay.poke();
    if (!claimed) return;

    await this.track(opId, release?.id, async (signal) => {
      const finish = async (outcome: { outputs: Record<string, unknown> } | { error: unknown }) =>
        this.publish(async (manager) => {
          if (release) await saveRelease(manager, release, null);
          await manager.update(ReleaseOperationRow, { id: opId }, { status: 'done' });
          if ('outputs' in outcome) await this.completed(manager, command, outcome.outputs, causationid);
          else await this.failed(manager, command, outcome.error, causationid);
        });
      try {
        if (!release) {
          const scope = {
            app: settings.application,
            namespace: (command.settings['namespace'] as string | undefined) ?? settings.environment,
          };
          const current = await target.target.production(scope);
          if (action === 'promote' && (!settings.image || current?.image !== settings.image))
            throw new ReleaseRefusedError(
              `no canary release of ${settings.application} in ${settings.environment} to promote`,
            );
          // Nothing to roll back (or already promoted): production stays as it is.
          const image = current?.image ?? settings.image ?? '';
          await finish({ outputs: action === 'promote' ? { image, previousImage: image } : { image } });
          return;
        }
        const runner = this.runner(
          target,
          this.journal(command, target, causationid),
          command.deadline,
          signal,
        );
        if (action === 'promote') await runner.promote(release, settings.image ?? release.image);
        else await runner.rollback(release, settings.image);
        await finish({ outputs: release.outputs });
      } catch (error) {
        await finish({ error });
      }
    });
  }

  /**
   * cancel: stops the work on that stage attempt. A rollout running here is aborted (its handler
   * cleans up and reports); one running on another replica is flagged for its heartbeat; a release
   * no replica runs is aborted here, with the cleanup its state owes.
   */
  async cancel(ref: StageRef & { reason: string }, causationid: string): Promise<void> {
    const id = releaseId(ref);
    const local = this.running.get(id);
    if (local) {
      local.controller.abort(ref.reason);
      await local.done;
      return;
    }
    const row = await this.db.dataSource.getRepository(ReleaseRow).findOne({ where: { id } });
    if (!row) {
      // A promote or rollback running on another replica: its heartbeat watches the release it moves.
      const op = await this.db.dataSource.getRepository(ReleaseOperationRow).findOne({ where: { id } });
      if (op?.status === 'running' && op.releaseId)
        await this.db.dataSource
          .getRepository(ReleaseRow)
          .update({ id: op.releaseId }, { cancelReason: ref.reason });
      return;
    }
    if (!ACTIVE_STATES.includes(row.state as ReleaseState)) return;
    if (row.leaseUntil && row.leaseUntil.getTime() > Date.now()) {
      await this.db.dataSource.getRepository(ReleaseRow).update({ id }, { cancelReason: ref.reason });
      return;
    }
    const target = this.targets.forEnvironment(row.environment);
    const release = row.release;
    const runner = this.runner(
      target,
      this.journal(ref, target, causationid),
      new Date(Date.now() + 120_000).toISOString(),
    );
    await runner.abort(release, ref.reason);
    await this.publish(async (manager) => {
      await saveRelease(manager, release, null);
      await this.failed(manager, ref, new AbortedError(ref.reason), causationid);
    });
  }

  /**
   * An execution that ended (cancelled, or failed in a stage after its canary-deploy) with a canary
   * neither promoted nor rolled back would leave baseline and canary running, the complaint about
   * other tools' aborts: its releases that still hold something are aborted with the cleanup their
   * state owes. A stage still running here was told by its own cancel; one leased by another replica
   * is flagged for that replica's heartbeat.
   */
  async executionEnded(executionId: string, reason: string, causationid: string): Promise<void> {
    const rows = await this.db.dataSource.getRepository(ReleaseRow).find({
      where: { id: Like(`${executionId}/%`), state: In([...ACTIVE_STATES]) },
    });
    for (const row of rows) {
      if (supersededBy(row.release.strategy, row.release.state) && !this.running.has(row.id))
        await this.abortHeld(row, reason, causationid);
    }
  }

  /** Deletes blue-green's kept Deployments whose time is over. */
  async retireDue(): Promise<void> {
    const due = await this.db.dataSource
      .getRepository(ReleaseRow)
      .find({ where: { retireAt: LessThanOrEqual(new Date()) } });
    for (const row of due) {
      const target = this.targets.forEnvironment(row.environment);
      const release = row.release;
      const runner = this.runner(
        target,
        this.journal(release, target, release.id),
        new Date(Date.now() + 60_000).toISOString(),
      );
      await runner.retire(release);
    }
  }
}

function stageRef(ref: StageRef): StageRef {
  return { executionId: ref.executionId, stageId: ref.stageId, attempt: ref.attempt };
}

/** A canary-deploy stage reports the canary's outputs; a deploy stage image, previousImage, revision (and those). */
function stageOutputsOf(
  command: StageCommandData,
  outputs: Record<string, unknown>,
): Record<string, unknown> {
  if (command.stageType !== 'canary-deploy') return outputs;
  const keys = [
    'baselineImage',
    'canaryImage',
    'baselineScope',
    'canaryScope',
    'location',
    'baselineTargets',
    'canaryTargets',
    'endpoint',
  ];
  return Object.fromEntries(keys.filter((k) => k in outputs).map((k) => [k, outputs[k]]));
}

// TypeORM's partial-entity type cannot take `unknown` values (the outputs); the column is jsonb.
const asJsonColumn = (release: Release) => release as never;

async function insertRelease(
  manager: EntityManager,
  release: Release,
  leaseUntil: Date | null,
): Promise<void> {
  const now = new Date();
  await manager.insert(ReleaseRow, {
    id: release.id,
    application: release.application,
    environment: release.environment,
    state: release.state,
    release: asJsonColumn(release),
    leaseUntil,
    cancelReason: null,
    retireAt: null,
    createdAt: now,
    updatedAt: now,
  });
}

async function saveRelease(manager: EntityManager, release: Release, leaseUntil: Date | null): Promise<void> {
  await manager.update(
    ReleaseRow,
    { id: release.id },
    {
      state: release.state,
      release: asJsonColumn(release),
      leaseUntil,
      retireAt: release.retire ? new Date(release.retire.at) : null,
      updatedAt: new Date(),
    },
  );
}

function endpointOf(release: Release, target: ResolvedTarget): { endpoint?: string } {
  const endpoint = target.target.endpoint({ app: release.application, namespace: release.namespace });
  return endpoint ? { endpoint } : {};
}

function releaseChanged(release: Release, target: ResolvedTarget, detail: string) {
  return {
    releaseId: release.id,
    executionId: release.executionId,
    stageId: release.stageId,
    attempt: release.attempt,
    application: release.application,
    environment: release.environment,
    namespace: release.namespace,
    target: target.target.kind,
    strategy: release.strategy,
    state: release.state,
    image: release.image,
    ...(release.previous ? { previousImage: release.previous.image } : {}),
    ...(release.deployment ? { deployment: release.deployment } : {}),
    ...endpointOf(release, target),
    detail,
    ...(release.reason ? { reason: release.reason } : {}),
    ...(release.retire ? { retiring: release.retire } : {}),
    changedAt: new Date().toISOString(),
  };
}
