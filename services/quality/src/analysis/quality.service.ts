import {
  type DataOf,
  GetChangedLines,
  type GetQualityReport,
  type QualityReport,
  StageEvents,
  type StageCommandData,
  type StageError,
  type StageRef,
} from '@aviary/events';
import { ARTIFACTS_BUCKET, artifactObjectName, BusClient } from '@aviary/messaging';
import { Database, enqueueMessage, handleOnce, OutboxRelay } from '@aviary/persistence';
import {
  type ChangedLines,
  evaluateQuality,
  type QualityGate,
  readReports,
  type ReadReports,
  REPORT_KIND_NAMES,
  type ReportInput,
  type ReportKind,
} from '@aviary/quality-gate';
import { LOGGER } from '@aviary/runtime';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { type Logger } from 'pino';
import { type EntityManager, Not } from 'typeorm';
import { type QualityConfig } from '../config/quality-config.js';
import { resolveGate } from '../gates/gate-resolver.js';
import { SonarQubeError, SonarQubeProvider } from '../sonarqube/sonarqube-provider.js';
import { AnalysisRow } from '../store/analysis.entity.js';
import { type Evaluation, failureSummary, fromQualityResult } from './evaluation.js';
import { InvalidQualitySettingsError, qualitySettings, type QualitySettings } from './quality-settings.js';
import { toQualityReport } from './quality-report.js';
import { QUALITY_CONFIG } from './tokens.js';

const SOURCE = '/aviary/quality';
const events = StageEvents.quality;

export const analysisId = (ref: StageRef) => `${ref.executionId}/${ref.stageId}/${ref.attempt}`;

/** The builder could not say what changed, and the gate has conditions on new code: ask again later. */
class NewCodeUnavailableError extends Error {
  override readonly name = 'NewCodeUnavailableError';
}

class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

function stageError(error: unknown): StageError {
  const message = (error instanceof Error ? error.message : String(error)) || 'quality gate failed';
  if (error instanceof InvalidQualitySettingsError)
    return { message, code: 'invalid-settings', retryable: false };
  if (error instanceof SonarQubeError) return { message, code: 'sonarqube', retryable: error.retryable };
  if (error instanceof NewCodeUnavailableError)
    return { message, code: 'new-code-unavailable', retryable: true };
  if (error instanceof CancelledError) return { message, code: 'cancelled', retryable: false };
  return { message, code: 'quality-failed', retryable: true };
}

interface Evaluated {
  evaluation: Evaluation;
  sources: Record<string, string>;
  previous?: AnalysisRow;
}

/**
 * Quality-gate stages: reads the reports the build kept (or SonarQube's gate), evaluates the gate
 * for the whole project and each sub-project, with new code measured against the previous main
 * build, stores the result with the history per application and branch, and reports the stage in
 * the same transaction (outbox). A command delivered again for a stored attempt changes nothing.
 */
@Injectable()
export class QualityService implements OnApplicationShutdown {
  private readonly running = new Map<string, AbortController>();
  private readonly sonarqube: SonarQubeProvider;

  constructor(
    private readonly db: Database,
    private readonly relay: OutboxRelay,
    private readonly bus: BusClient,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sonarqube = new SonarQubeProvider(config.sonarqube);
  }

  onApplicationShutdown(): void {
    for (const controller of this.running.values()) controller.abort(new Error('shutting down'));
  }

  private meta(ref: StageRef, causationid: string, id: string) {
    return { source: SOURCE, correlationid: ref.executionId, causationid, id };
  }

  private ref(command: StageRef): StageRef {
    return { executionId: command.executionId, stageId: command.stageId, attempt: command.attempt };
  }

  /** gate: one evaluation per stage attempt. */
  async gate(command: StageCommandData, causationid: string): Promise<void> {
    const id = analysisId(command);
    if (this.running.has(id)) return;
    const done = await this.db.dataSource.getRepository(AnalysisRow).existsBy({ id });
    if (done) return;
    const ref = this.ref(command);
    await this.db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'quality.started', id))) return;
      await enqueueMessage(
        manager,
        events.started,
        { ...ref, worker: 'quality', startedAt: new Date().toISOString() },
        this.meta(ref, causationid, `${id}/started`),
      );
    });
    this.relay.poke();
    const controller = new AbortController();
    const deadline = Date.parse(command.deadline);
    const timer = setTimeout(
      () => controller.abort(new CancelledError('the stage deadline passed')),
      Math.max(0, deadline - Date.now()),
    );
    this.running.set(id, controller);
    try {
      const settings = qualitySettings(command);
      const evaluated = await this.evaluate(command, settings, controller.signal);
      await this.finish(command, settings, evaluated, causationid);
    } catch (error) {
      if (controller.signal.aborted && !(controller.signal.reason instanceof CancelledError)) return; // shutting down
      const failure = controller.signal.aborted ? (controller.signal.reason as Error) : error;
      this.logger.info({ analysis: id, err: failure }, 'quality gate could not be evaluated');
      await this.db.transaction(async (manager) => {
        if (!(await handleOnce(manager, 'quality.gate', id))) return;
        await this.failed(manager, ref, stageError(failure), { analysisId: id }, causationid);
      });
      this.relay.poke();
    } finally {
      clearTimeout(timer);
      this.running.delete(id);
    }
  }

  /** cancel: stops a running evaluation (a SonarQube wait); it reports the stage failed. */
  cancel(ref: StageRef & { reason: string }): void {
    this.running.get(analysisId(ref))?.abort(new CancelledError(`cancelled: ${ref.reason}`));
  }

  private async evaluate(
    command: StageCommandData,
    settings: QualitySettings,
    signal: AbortSignal,
  ): Promise<Evaluated> {
    const repository = this.db.dataSource.getRepository(AnalysisRow);
    // SonarQube's gate reads no scan of ours.
    const scan =
      settings.analysis && settings.provider === 'aviary'
        ? await repository.findOneBy({ id: settings.analysis })
        : null;
    if (scan && sameGate(scan, settings)) {
      const previous = scan.previousId ? await repository.findOneBy({ id: scan.previousId }) : null;
      return {
        evaluation: scan.result as Evaluation,
        sources: scan.sources,
        ...(previous ? { previous } : {}),
      };
    }
    const previous = await this.previousMainBuild(command, settings.mainBranch);
    if (settings.provider === 'sonarqube')
      return {
        evaluation: await this.sonarqube.evaluate(settings.sonarqube!, Date.parse(command.deadline), signal),
        sources: {},
        ...(previous ? { previous } : {}),
      };
    const sources = sourcesOf(settings, scan);
    // The gate, the reports and the diff come from the builder, the artifact store and the
    // builder again, independently: asked at once.
    const [gate, read, diff] = await Promise.all([
      resolveGate(
        settings.gate,
        settings.conditions,
        command,
        this.config.gatesDir,
        this.bus,
        this.config.queryTimeoutMs,
      ),
      this.readSources(sources),
      this.diff(command, previous),
    ]);
    const effective: QualityGate = settings.subProjects
      ? { ...gate, subProjects: settings.subProjects }
      : gate;
    const newCode = changedLines(diff, effective);
    const result = evaluateQuality(read, { gate: effective, ...newCode });
    return {
      evaluation: fromQualityResult(result, previous?.sha),
      sources,
      ...(previous ? { previous } : {}),
    };
  }

  private async readSources(sources: Record<string, string>): Promise<ReadReports> {
    const store = this.bus.objects(ARTIFACTS_BUCKET);
    const inputs: ReportInput[] = [];
    const unreadable: ReadReports['unreadable'] = [];
    for (const [kind, url] of Object.entries(sources)) {
      if (!REPORT_KIND_NAMES.includes(kind as ReportKind)) continue;
      const name = artifactObjectName(url);
      if (!name) {
        unreadable.push({
          kind: kind as ReportKind,
          file: url,
          problem: `not an artifact reference (write \${stages.<stage>.outputs.${kind}Report})`,
        });
        continue;
      }
      const content = await store.get(name);
      if (!content)
        unreadable.push({
          kind: kind as ReportKind,
          file: url,
          problem: 'the artifact does not exist (expired?)',
        });
      else inputs.push({ kind: kind as ReportKind, file: url, content });
    }
    const read = readReports(inputs);
    return { parsed: read.parsed, unreadable: [...unreadable, ...read.unreadable] };
  }

  /** The latest evaluation of another build of the main branch: the base of new code and deltas. */
  private previousMainBuild(command: StageCommandData, mainBranch: string): Promise<AnalysisRow | null> {
    return this.db.dataSource.getRepository(AnalysisRow).findOne({
      where: {
        application: command.application,
        branch: mainBranch,
        provider: command.settings['provider'] === 'sonarqube' ? 'sonarqube' : 'aviary',
        executionId: Not(command.executionId),
      },
      order: { evaluatedAt: 'DESC' },
    });
  }

  /** The lines changed since the previous main build, as the builder diffs them. */
  private async diff(command: StageCommandData, previous: AnalysisRow | null): Promise<Diff> {
    if (!previous) return { newCodeReason: 'no earlier main build to compare with' };
    if (previous.sha === command.trigger.sha) return { changedLines: {} };
    try {
      const reply = await this.bus.query(
        GetChangedLines,
        {
          application: command.application,
          repository: command.trigger.repository,
          base: previous.sha,
          head: command.trigger.sha,
        },
        { timeoutMs: this.config.queryTimeoutMs },
      );
      if (reply.found)
        return {
          changedLines: Object.fromEntries(reply.files.map((f) => [f.path, f.ranges])),
        };
      return {
        newCodeReason: `the builder cannot diff ${previous.sha.slice(0, 12)}..${command.trigger.sha.slice(0, 12)}: ${reply.reason}`,
      };
    } catch (error) {
      return { unanswered: `the builder did not answer the diff query: ${(error as Error).message}` };
    }
  }

  private async finish(
    command: StageCommandData,
    settings: QualitySettings,
    evaluated: Evaluated,
    causationid: string,
  ) {
    const { evaluation, sources, previous } = evaluated;
    const id = analysisId(command);
    const ref = this.ref(command);
    const coverage = evaluation.project.measures['coverage'];
    const outputs = {
      analysisId: id,
      gateStatus: evaluation.status,
      ...(coverage !== undefined ? { coverage } : {}),
    };
    await this.db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'quality.gate', id))) return;
      await manager.insert(AnalysisRow, {
        id,
        executionId: command.executionId,
        stageId: command.stageId,
        attempt: command.attempt,
        application: command.application,
        branch: command.trigger.branch ?? null,
        sha: command.trigger.sha,
        mode: settings.mode,
        provider: evaluation.provider,
        gateName: evaluation.gate,
        status: evaluation.status,
        measures: evaluation.project.measures,
        result: evaluation,
        sources,
        gateSettings: gateSettingsOf(settings),
        previousId: previous?.id ?? null,
        evaluatedAt: new Date(),
      });
      // A scan only measures; a gate fails the stage on ERROR (WARN passes, saying so).
      if (evaluation.status === 'ERROR' && settings.mode !== 'scan')
        await this.failed(
          manager,
          ref,
          {
            message: failureSummary(evaluation),
            code: evaluation.unreadable.length > 0 ? 'report-unreadable' : 'quality-gate-failed',
            retryable: false,
            details: {
              gateStatus: evaluation.status,
              gate: evaluation.gate,
              failing: evaluation.failing,
              unreadable: evaluation.unreadable,
              conditions: [evaluation.project, ...evaluation.subProjects].flatMap((p) =>
                p.conditions.filter((c) => c.status === 'ERROR').map((c) => ({ project: p.name, ...c })),
              ),
            },
          },
          outputs,
          causationid,
        );
      else
        await enqueueMessage(
          manager,
          events.completed,
          { ...ref, completedAt: new Date().toISOString(), outputs },
          this.meta(ref, causationid, `${id}/completed`),
        );
    });
    this.relay.poke();
  }

  private async failed(
    manager: EntityManager,
    ref: StageRef,
    error: StageError,
    outputs: Record<string, unknown>,
    causationid: string,
  ) {
    await enqueueMessage(
      manager,
      events.failed,
      { ...ref, failedAt: new Date().toISOString(), error, outputs },
      this.meta(ref, causationid, `${analysisId(ref)}/failed`),
    );
  }

  async report(
    query: DataOf<typeof GetQualityReport>,
  ): Promise<{ found: true; report: QualityReport } | { found: false; reason: string }> {
    const repo = this.db.dataSource.getRepository(AnalysisRow);
    const row =
      query.attempt !== undefined
        ? await repo.findOneBy({ id: analysisId({ ...query, attempt: query.attempt }) })
        : await repo.findOne({
            where: { executionId: query.executionId, stageId: query.stageId },
            order: { attempt: 'DESC' },
          });
    if (!row)
      return { found: false, reason: `no quality gate evaluation for ${query.executionId}/${query.stageId}` };
    const previous = row.previousId ? await repo.findOneBy({ id: row.previousId }) : null;
    return { found: true, report: toQualityReport(row, previous) };
  }
}

/**
 * A gate stage with a scan's analysis, no reports of its own and the scan's gate settings judges
 * the scan's evaluation as it is: the same reports, gate and new code (from the same commit and the
 * same earlier build) would give the same one, without asking the builder and reading the reports
 * again.
 */
function sameGate(scan: AnalysisRow, settings: QualitySettings): boolean {
  const own = gateSettingsOf(settings);
  if (!own || Object.keys(settings.reports).length > 0) return false;
  // As stored: what JSON keeps (no undefined fields), whatever order jsonb gives the keys.
  return isDeepStrictEqual(scan.gateSettings, JSON.parse(JSON.stringify(own)));
}

/** The report URLs: the settings' own, or (mode gate) those of the scan stage it names. */
function sourcesOf(settings: QualitySettings, scan: AnalysisRow | null): Record<string, string> {
  const own = Object.fromEntries(
    Object.entries(settings.reports).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  if (!settings.analysis) return own;
  if (!scan)
    throw new InvalidQualitySettingsError(
      `analysis ${settings.analysis} is not known to the quality service`,
    );
  return { ...scan.sources, ...own };
}

/** The settings that decide an evaluation besides its reports (none: SonarQube decides). */
function gateSettingsOf(settings: QualitySettings) {
  if (settings.provider !== 'aviary') return null;
  return {
    gate: settings.gate,
    conditions: settings.conditions ?? null,
    subProjects: settings.subProjects ?? null,
    mainBranch: settings.mainBranch,
  };
}

/** What the diff query gave: the changed lines, why there are none, or that the builder did not answer. */
type Diff = { changedLines: ChangedLines } | { newCodeReason: string } | { unanswered: string };

/** An unanswered diff query fails only a gate with conditions on new code. */
function changedLines(
  diff: Diff,
  gate: QualityGate,
): { changedLines?: ChangedLines; newCodeReason?: string } {
  if (!('unanswered' in diff)) return diff;
  if (gate.conditions.some((c) => c.onNewCode || c.metric.startsWith('new_')))
    throw new NewCodeUnavailableError(`${diff.unanswered}; the gate has conditions on new code`);
  return { newCodeReason: diff.unanswered };
}
