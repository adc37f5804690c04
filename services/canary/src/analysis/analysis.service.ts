import {
  type CanaryIntervalReport,
  type CanaryReport,
  type DataOf,
  type GetCanaryReport,
  type ReplayCanaryAnalysis,
  StageEvents,
  type StageCommandData,
  type StageError,
  type StageRef,
} from '@aviary/events';
import {
  type CanaryConfig,
  CanaryConfigError,
  parseCanaryConfig,
  QueryBuildError,
  type Thresholds,
} from '@aviary/judge';
import { BusClient } from '@aviary/messaging';
import { Database, enqueueMessage, handleOnce, OutboxRelay } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Logger } from 'pino';
import { type EntityManager, IsNull, LessThan, Or } from 'typeorm';
import { type CanaryServiceConfig } from '../config/canary-service-config.js';
import { resolveCanaryConfig } from '../configs/config-resolver.js';
import { PrometheusSource } from '../sources/prometheus/prometheus-source.js';
import { type MetricSource, MetricSourceError } from '../sources/series.js';
import { SampleStore } from '../sources/scrape/sample-store.js';
import { ScrapeSource } from '../sources/scrape/scrape-source.js';
import { Scraper, targetLabels } from '../sources/scrape/scraper.js';
import { AnalysisRow, IntervalRow } from '../store/entities.js';
import { type AnalysisSpec, analysisSpec, InvalidAnalysisError } from './analysis-spec.js';
import { fetchInterval, intervalReport, judgePairs, restoredPairs, storedPairs } from './judge-interval.js';
import { CANARY_CONFIG } from './tokens.js';
import { finalVerdict, stopsEarly, type Verdict } from './verdict.js';

const SOURCE = '/aviary/canary';
const events = StageEvents.canary;

class CancelledError extends Error {
  constructor(reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'CancelledError';
  }
}

export const analysisId = (ref: StageRef) => `${ref.executionId}/${ref.stageId}/${ref.attempt}`;
const stageRef = (row: AnalysisRow): StageRef => ({
  executionId: row.executionId,
  stageId: row.stageId,
  attempt: row.attempt,
});

function stageError(error: unknown): StageError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CancelledError) return { message, code: 'cancelled', retryable: false };
  if (
    error instanceof InvalidAnalysisError ||
    error instanceof QueryBuildError ||
    error instanceof CanaryConfigError
  )
    return { message, code: 'invalid-analysis', retryable: false };
  if (error instanceof MetricSourceError)
    return { message, code: 'metrics-unavailable', retryable: error.retryable };
  return { message: message || 'analysis failed', code: 'analysis-failed', retryable: true };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', abort);
        resolve();
      },
      Math.max(0, ms),
    );
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Canary analyses: one per canary-analysis stage attempt, planned when it starts and persisted, each
 * interval judged when it ends and stored with its queries and series, a progress event each; the
 * stage result through the outbox. A replica that stops leaves its analyses to the next one that
 * starts (or to another replica once the lease runs out), which continues from the last judged
 * interval.
 */
@Injectable()
export class AnalysisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly running = new Map<string, Running>();
  private readonly samples: SampleStore;
  private readonly prometheus?: PrometheusSource;
  private sweepTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly relay: OutboxRelay,
    private readonly bus: BusClient,
    @Inject(CANARY_CONFIG) private readonly config: CanaryServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.samples = new SampleStore(db);
    if (config.prometheusUrl)
      this.prometheus = new PrometheusSource({
        url: config.prometheusUrl,
        timeoutMs: config.httpTimeoutMs,
        retries: config.prometheusRetries,
      });
  }

  onApplicationBootstrap(): void {
    const sweep = () => {
      this.resumeOrphans().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'resuming analyses failed'),
      );
    };
    // The first sweep waits for the database (connecting, migrating): an analysis a stopped replica
    // left resumes as soon as this one can read it, not half a lease later after a failed try.
    this.db.ready().then(sweep, () => undefined);
    this.sweepTimer = setInterval(sweep, Math.max(1000, Math.floor(this.config.leaseMs / 2)));
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    const running = [...this.running.entries()];
    for (const [, run] of running) run.controller.abort(new Error('shutting down'));
    await Promise.all(running.map(([, run]) => run.done));
    // Released: the next replica to start picks them up at once.
    for (const [id] of running)
      await this.db.dataSource
        .getRepository(AnalysisRow)
        .update({ id, status: 'running' }, { leaseUntil: null })
        .catch(() => undefined);
    await this.prometheus?.close();
  }

  private meta(ref: StageRef, causationid: string, id?: string) {
    return { source: SOURCE, correlationid: ref.executionId, causationid, ...(id ? { id } : {}) };
  }

  private leaseUntil(): Date {
    return new Date(Date.now() + this.config.leaseMs);
  }

  private async publish(write: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.db.transaction(write);
    this.relay.poke();
  }

  /** analyze: plans and stores the analysis (once per stage attempt), then runs it here. */
  async analyze(command: StageCommandData, causationid: string): Promise<void> {
    const id = analysisId(command);
    if (this.running.has(id)) return;
    let spec: AnalysisSpec;
    let config: CanaryConfig;
    try {
      const planned = analysisSpec(command, Date.now(), this.prometheus !== undefined);
      spec = planned.spec;
      config = await resolveCanaryConfig(
        spec.configName,
        planned.inlineConfig,
        command,
        this.config.configDir,
        this.bus,
      );
    } catch (error) {
      await this.publish(async (manager) => {
        if (!(await handleOnce(manager, 'canary.analyze', id))) return;
        await this.startedEvent(manager, command, causationid);
        await this.failedEvent(manager, command, error, {}, causationid);
      });
      return;
    }
    const claimed = await this.db.transaction(async (manager) => {
      if (await handleOnce(manager, 'canary.analyze', id)) {
        const row = manager.create(AnalysisRow, {
          id,
          executionId: command.executionId,
          stageId: command.stageId,
          attempt: command.attempt,
          application: command.application,
          status: 'running',
          spec,
          config,
          score: null,
          summary: null,
          causationId: causationid,
          leaseUntil: this.leaseUntil(),
          startedAt: new Date(),
          completedAt: null,
        });
        await manager.save(AnalysisRow, row);
        await this.startedEvent(manager, command, causationid);
        return row;
      }
      return this.claim(manager, id);
    });
    this.relay.poke();
    if (claimed) this.track(claimed);
  }

  /** Takes a running analysis whose lease ran out (its replica stopped). */
  private async claim(manager: EntityManager, id: string): Promise<AnalysisRow | undefined> {
    const row = await manager.findOne(AnalysisRow, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row || row.status !== 'running') return undefined;
    if (row.leaseUntil && row.leaseUntil.getTime() > Date.now()) return undefined;
    row.leaseUntil = this.leaseUntil();
    await manager.save(row);
    return row;
  }

  private async resumeOrphans(): Promise<void> {
    if (this.stopping) return;
    const orphans = await this.db.dataSource.getRepository(AnalysisRow).find({
      where: { status: 'running', leaseUntil: Or(IsNull(), LessThan(new Date())) },
      select: { id: true },
    });
    for (const { id } of orphans) {
      if (this.running.has(id) || this.stopping) continue;
      const row = await this.db.transaction((manager) => this.claim(manager, id));
      if (row) {
        this.logger.info({ analysis: id }, 'resuming analysis');
        this.track(row);
      }
    }
  }

  private track(row: AnalysisRow): void {
    const controller = new AbortController();
    const done = this.run(row, controller.signal)
      .catch((error: unknown) => this.logger.error({ err: error, analysis: row.id }, 'analysis crashed'))
      .finally(() => this.running.delete(row.id));
    this.running.set(row.id, { controller, done });
  }

  private sourceFor(row: AnalysisRow, spec: AnalysisSpec): MetricSource {
    if (spec.source === 'prometheus') {
      if (!this.prometheus)
        throw new InvalidAnalysisError('this replica has no Prometheus (CANARY_PROMETHEUS_URL)');
      return this.prometheus;
    }
    return new ScrapeSource(this.samples, row.id);
  }

  private scraperFor(row: AnalysisRow, spec: AnalysisSpec, config: CanaryConfig): Scraper {
    const wanted = new Set<string>();
    for (const metric of config.metrics) {
      const q = metric.query as Record<string, unknown>;
      for (const part of [q, q['numerator'], q['denominator']])
        if (
          part &&
          typeof part === 'object' &&
          typeof (part as { metricName?: unknown }).metricName === 'string'
        )
          wanted.add((part as { metricName: string }).metricName);
    }
    const targets = (['baseline', 'canary'] as const).flatMap((side) =>
      spec.targets[side].map((url, i) => ({
        side,
        url,
        labels: targetLabels(url, spec[side].scope, spec[side].location, row.application, i),
      })),
    );
    return new Scraper(row.id, targets, wanted, this.samples, {
      stepMs: spec.stepSeconds * 1000,
      timeoutMs: this.config.httpTimeoutMs,
      logger: this.logger,
    });
  }

  /** Judges the analysis's remaining intervals as they come due; reports the stage's result. */
  private async run(row: AnalysisRow, signal: AbortSignal): Promise<void> {
    const spec = row.spec as AnalysisSpec;
    const config = parseCanaryConfig(row.config);
    const ref = stageRef(row);
    const heartbeat = setInterval(
      () => {
        this.heartbeat(row.id, signal).catch((error: unknown) =>
          this.logger.warn({ err: error }, 'analysis heartbeat failed'),
        );
      },
      Math.max(200, Math.floor(this.config.leaseMs / 3)),
    );
    let scraper: Scraper | undefined;
    try {
      const source = this.sourceFor(row, spec);
      const last = spec.intervals.at(-1)!;
      if (spec.source === 'scrape' && last.dueAt > Date.now()) {
        scraper = this.scraperFor(row, spec, config);
        scraper.start();
      }
      const judged = await this.db.dataSource
        .getRepository(IntervalRow)
        .find({ where: { analysisId: row.id }, order: { index: 'ASC' } });
      let lastScore = judged.at(-1)?.score;
      if (lastScore !== undefined && stopsEarly(lastScore, spec.thresholds))
        return await this.finish(row, lastScore, spec);
      for (const interval of spec.intervals.slice(judged.length)) {
        await sleep(interval.dueAt + this.config.settleMs - Date.now(), signal);
        const fetched = await fetchInterval(config, spec, interval, source, signal);
        const result = judgePairs(config, spec.thresholds, fetched.pairs);
        const report = intervalReport(interval, fetched, result, new Date());
        lastScore = result.score.score;
        const score = lastScore;
        await this.publish(async (manager) => {
          await manager.insert(IntervalRow, {
            analysisId: row.id,
            index: interval.index,
            report,
            pairs: storedPairs(fetched.pairs) as object,
            score,
            judgedAt: new Date(),
          });
          await manager.update(AnalysisRow, { id: row.id }, { score, summary: result.score.explanation });
          await enqueueMessage(
            manager,
            events.progress,
            {
              ...ref,
              message: `interval ${interval.index} of ${spec.intervals.length}: score ${score} (${result.score.classification})`,
              percent: Math.round((interval.index / spec.intervals.length) * 100),
              details: {
                interval: interval.index,
                intervals: spec.intervals.length,
                score,
                classification: result.score.classification,
                reportId: row.id,
              },
            },
            this.meta(ref, row.causationId, `${row.id}/progress/${interval.index}`),
          );
        });
        if (stopsEarly(score, spec.thresholds)) break;
      }
      await this.finish(row, lastScore!, spec);
    } catch (error) {
      if (signal.aborted && !(signal.reason instanceof CancelledError)) return; // shutting down: resumed later
      const failure = signal.aborted ? (signal.reason as Error) : error;
      this.logger.info({ analysis: row.id, err: failure }, 'analysis failed');
      await this.publish(async (manager) => {
        const status = failure instanceof CancelledError ? 'cancelled' : 'error';
        const updated = await manager.update(
          AnalysisRow,
          { id: row.id, status: 'running' },
          { status, completedAt: new Date(), leaseUntil: null, summary: (failure as Error).message },
        );
        if (updated.affected)
          await this.failedEvent(manager, ref, failure, { reportId: row.id }, row.causationId);
      });
    } finally {
      clearInterval(heartbeat);
      await scraper?.stop();
      if (spec.source === 'scrape' && !signal.aborted) await this.samples.drop(row.id).catch(() => undefined);
    }
  }

  private async finish(row: AnalysisRow, score: number, spec: AnalysisSpec): Promise<void> {
    const verdict: Verdict = finalVerdict(score, spec.thresholds);
    const ref = stageRef(row);
    const outputs = { score, verdict, reportId: row.id };
    await this.publish(async (manager) => {
      const updated = await manager.update(
        AnalysisRow,
        { id: row.id, status: 'running' },
        { status: verdict, score, completedAt: new Date(), leaseUntil: null },
      );
      if (!updated.affected) return;
      if (verdict === 'pass')
        await enqueueMessage(
          manager,
          events.completed,
          { ...ref, completedAt: new Date().toISOString(), outputs },
          this.meta(ref, row.causationId, `${row.id}/completed`),
        );
      else
        await this.failedEvent(
          manager,
          ref,
          new Error(
            verdict === 'fail'
              ? `canary score ${score} is not above the marginal threshold ${spec.thresholds.marginal}`
              : `canary score ${score} is below the pass threshold ${spec.thresholds.pass} (marginal)`,
          ),
          outputs,
          row.causationId,
          verdict === 'fail' ? 'canary-failed' : 'canary-marginal',
        );
    });
  }

  private async heartbeat(id: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const row = await this.db.transaction(async (manager) => {
      await manager.update(AnalysisRow, { id, status: 'running' }, { leaseUntil: this.leaseUntil() });
      return manager.findOne(AnalysisRow, { where: { id } });
    });
    // Cancelled through another replica: stop here too.
    if (row && row.status !== 'running')
      this.running.get(id)?.controller.abort(new CancelledError(row.summary ?? 'cancelled'));
  }

  private async startedEvent(manager: EntityManager, ref: StageRef, causationid: string) {
    await enqueueMessage(
      manager,
      events.started,
      { ...stageRef(ref as AnalysisRow), worker: 'canary', startedAt: new Date().toISOString() },
      this.meta(ref, causationid, `${analysisId(ref)}/started`),
    );
  }

  private async failedEvent(
    manager: EntityManager,
    ref: StageRef,
    error: unknown,
    outputs: Record<string, unknown>,
    causationid: string,
    code?: string,
  ) {
    const stage = stageError(error);
    await enqueueMessage(
      manager,
      events.failed,
      {
        ...stageRef(ref as AnalysisRow),
        failedAt: new Date().toISOString(),
        error: code ? { ...stage, code, retryable: false } : stage,
        outputs,
      },
      this.meta(ref, causationid, `${analysisId(ref)}/failed`),
    );
  }

  /** cancel: the analysis stops at once (here, or on the replica running it at its next heartbeat). */
  async cancel(ref: StageRef & { reason: string }, causationid: string): Promise<void> {
    const id = analysisId(ref);
    const cancelled = await this.db.transaction(async (manager) => {
      const row = await manager.findOne(AnalysisRow, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.status !== 'running') return false;
      await manager.update(
        AnalysisRow,
        { id },
        {
          status: 'cancelled',
          completedAt: new Date(),
          leaseUntil: null,
          summary: `cancelled: ${ref.reason}`,
        },
      );
      await this.failedEvent(manager, ref, new CancelledError(ref.reason), { reportId: id }, causationid);
      return true;
    });
    this.relay.poke();
    if (cancelled) this.running.get(id)?.controller.abort(new CancelledError(ref.reason));
  }

  private async find(query: DataOf<typeof GetCanaryReport>): Promise<AnalysisRow | null> {
    const repo = this.db.dataSource.getRepository(AnalysisRow);
    if (query.attempt !== undefined)
      return repo.findOne({ where: { id: analysisId({ ...query, attempt: query.attempt }) } });
    return repo.findOne({
      where: { executionId: query.executionId, stageId: query.stageId },
      order: { attempt: 'DESC' },
    });
  }

  private toReport(
    row: AnalysisRow,
    intervals: CanaryIntervalReport[],
    verdict?: CanaryReport['verdict'],
    score?: number,
    summary?: string,
  ): CanaryReport {
    const spec = row.spec as AnalysisSpec;
    const finalScore = score ?? row.score ?? undefined;
    return {
      reportId: row.id,
      executionId: row.executionId,
      stageId: row.stageId,
      attempt: row.attempt,
      application: row.application,
      verdict: verdict ?? (row.status as CanaryReport['verdict']),
      ...(finalScore !== undefined && finalScore !== null
        ? { score: Math.max(0, Math.min(100, finalScore)) }
        : {}),
      thresholds: spec.thresholds,
      startedAt: row.startedAt.toISOString(),
      ...(row.completedAt ? { completedAt: row.completedAt.toISOString() } : {}),
      ...((summary ?? row.summary) ? { summary: summary ?? row.summary! } : {}),
      details: {
        config: row.config,
        source: spec.source,
        step: spec.stepSeconds,
        baseline: spec.baseline,
        canary: spec.canary,
        targets: spec.targets,
      },
      intervals,
      plannedIntervals: spec.intervals.length,
    };
  }

  async report(query: DataOf<typeof GetCanaryReport>) {
    const row = await this.find(query);
    if (!row)
      return {
        found: false as const,
        reason: `no canary analysis for ${query.executionId}/${query.stageId}`,
      };
    const intervals = await this.db.dataSource
      .getRepository(IntervalRow)
      .find({ where: { analysisId: row.id }, order: { index: 'ASC' } });
    return {
      found: true as const,
      report: this.toReport(
        row,
        intervals.map((i) => i.report as CanaryIntervalReport),
      ),
    };
  }

  /** replay: the stored intervals judged again with another config or thresholds; nothing stored. */
  async replay(query: DataOf<typeof ReplayCanaryAnalysis>) {
    const row = await this.find(query);
    if (!row)
      return {
        found: false as const,
        reason: `no canary analysis for ${query.executionId}/${query.stageId}`,
      };
    const spec = row.spec as AnalysisSpec;
    const config = parseCanaryConfig(query.config ?? row.config);
    const thresholds: Thresholds = query.thresholds ?? spec.thresholds;
    const stored = await this.db.dataSource
      .getRepository(IntervalRow)
      .find({ where: { analysisId: row.id }, order: { index: 'ASC' } });
    const reports: CanaryIntervalReport[] = [];
    let last: number | undefined;
    for (const interval of stored) {
      const original = interval.report as CanaryIntervalReport;
      const planned = spec.intervals.find((i) => i.index === interval.index)!;
      const pairs = restoredPairs(interval.pairs);
      const result = judgePairs(config, thresholds, pairs);
      const queries = Object.fromEntries(
        original.metrics.map((m) => [
          m.name,
          { baseline: m.baseline.query ?? '', canary: m.canary.query ?? '' },
        ]),
      );
      reports.push(
        intervalReport(planned, { pairs, queries, warnings: original.warnings }, result, new Date()),
      );
      last = result.score.score;
      if (stopsEarly(last, thresholds)) break;
    }
    const verdict = last === undefined ? row.status : finalVerdict(last, thresholds);
    return {
      found: true as const,
      report: {
        ...this.toReport(row, reports, verdict as CanaryReport['verdict'], last, reports.at(-1)?.explanation),
        thresholds,
        details: { ...this.toReport(row, []).details, config, replayOf: row.id },
      },
    };
  }
}
