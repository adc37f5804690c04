import { z } from 'zod';
import { defineQuery } from '../contract.js';
import { ApplicationName, Id, JsonRecord, Timestamp } from './common.js';

/** Which report: the one a stage produced (its latest attempt unless `attempt` is given). */
const ReportRef = z.object({
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1).optional(),
});

const NotFound = z.object({ found: z.literal(false), reason: z.string().min(1) });

export const CanaryVerdict = z.enum(['running', 'pass', 'marginal', 'fail', 'error', 'cancelled']);

/** A number as JSON can carry it: NaN and infinities written as Prometheus writes them. */
export const ReportNumber = z.union([z.number(), z.enum(['NaN', '+Inf', '-Inf'])]);

const SideStats = z.object({
  count: z.number(),
  mean: ReportNumber,
  min: ReportNumber,
  max: ReportNumber,
  std: ReportNumber,
});

/** One side of one metric in one interval: the query sent, the series judged, its summary. */
const MetricSide = z.object({
  query: z.string().optional(),
  stats: SideStats,
  /** [unix seconds, value] points as the source returned them (before NaN and outlier handling). */
  series: z.array(z.tuple([z.number(), ReportNumber])),
  /** Ratio metrics: the denominator's points. */
  denominator: z.array(z.tuple([z.number(), ReportNumber])).optional(),
});

/** One metric (one label set) judged in one interval, with the judge's words. */
export const CanaryMetricReport = z.object({
  name: z.string(),
  tags: z.record(z.string(), z.string()).default({}),
  groups: z.array(z.string()).default([]),
  classification: z.enum(['Pass', 'High', 'Low', 'Nodata', 'NodataFailMetric', 'Error']),
  reason: z.string().optional(),
  critical: z.boolean(),
  muted: z.boolean(),
  ratio: ReportNumber.optional(),
  explanation: z.string(),
  baseline: MetricSide,
  canary: MetricSide,
  /** The statistics behind the classification (estimate, interval, band, effect size, sizes). */
  analysis: JsonRecord.optional(),
});

/** One judged interval: its windows, per-metric results, group scores, score and verdict. */
export const CanaryIntervalReport = z.object({
  index: z.int().min(1),
  baseline: z.object({ start: Timestamp, end: Timestamp }),
  canary: z.object({ start: Timestamp, end: Timestamp }),
  score: z.number(),
  classification: z.enum(['Pass', 'Marginal', 'Fail']),
  explanation: z.string(),
  judgedAt: Timestamp,
  groupScores: z.array(
    z.object({ name: z.string(), score: z.number(), weight: z.number(), noData: z.boolean() }),
  ),
  metrics: z.array(CanaryMetricReport),
  warnings: z.array(z.string()).default([]),
});
export type CanaryIntervalReport = z.infer<typeof CanaryIntervalReport>;

/**
 * A canary analysis as the UI shows it. The judge's full detail (per-metric statistics, the series it
 * judged) is in `details`, whose shape belongs to the canary service.
 */
export const CanaryReport = z.object({
  reportId: Id,
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1),
  application: ApplicationName,
  verdict: CanaryVerdict,
  score: z.number().min(0).max(100).optional(),
  thresholds: z.object({ pass: z.number(), marginal: z.number() }).optional(),
  startedAt: Timestamp,
  completedAt: Timestamp.optional(),
  summary: z.string().optional(),
  details: JsonRecord.default({}),
  /** Every judged interval, oldest first (the canary service fills it; older replies may not). */
  intervals: z.array(CanaryIntervalReport).optional(),
  /** Intervals planned in all, judged or not. */
  plannedIntervals: z.int().min(0).optional(),
});
export type CanaryReport = z.infer<typeof CanaryReport>;

export const GetCanaryReport = defineQuery({
  path: 'canary.get-report',
  description: 'The canary analysis report of a stage (the gateway serves it to the UI and the API).',
  schema: ReportRef,
  replySchema: z.discriminatedUnion('found', [
    z.object({ found: z.literal(true), report: CanaryReport }),
    NotFound,
  ]),
});

/**
 * Judges a stored analysis again on the series it kept, with a changed canary config and/or
 * thresholds (to tune them on real data). Nothing is stored; the reply is the report it would give.
 */
export const ReplayCanaryAnalysis = defineQuery({
  path: 'canary.replay',
  description:
    'Judge a stored canary analysis again on its kept series with another canary config or thresholds (nothing is stored).',
  schema: ReportRef.extend({
    /** A Kayenta canary config (JSON); the analysis's own when absent. */
    config: JsonRecord.optional(),
    thresholds: z
      .object({ pass: z.number().min(0).max(100), marginal: z.number().min(0).max(100) })
      .optional(),
  }),
  replySchema: z.discriminatedUnion('found', [
    z.object({ found: z.literal(true), report: CanaryReport }),
    NotFound,
  ]),
});

export const QualityGateStatus = z.enum(['passed', 'failed', 'error', 'none']);

/** SonarQube's words for a gate or condition: OK, WARN, ERROR (and NO_VALUE for a metric no report gave). */
export const QualityStatus = z.enum(['OK', 'WARN', 'ERROR']);
export const QualityConditionStatus = z.enum(['OK', 'WARN', 'ERROR', 'NO_VALUE']);

/** One condition of the gate as evaluated: the metric read, thresholds, the actual value and status. */
const QualityCondition = z.object({
  metric: z.string().min(1),
  operator: z.enum(['lt', 'lte', 'gt', 'gte', 'eq']),
  /** The error threshold (the warning threshold when the condition has only that). */
  threshold: z.number(),
  actual: z.number().optional(),
  /** False only for a failing (ERROR) condition. */
  passed: z.boolean(),
  status: QualityConditionStatus.optional(),
  errorThreshold: z.number().optional(),
  warningThreshold: z.number().optional(),
  onNewCode: z.boolean().optional(),
  /** The condition in words: `Coverage 91.2% (error < 92%, warning < 95%): ERROR`. */
  description: z.string().optional(),
});

/** A sub-project (an `api/v*` folder) gated on its own. */
const QualitySubProject = z.object({
  name: z.string().min(1),
  status: QualityStatus,
  metrics: z.record(z.string(), z.number()).default({}),
  conditions: z.array(QualityCondition).default([]),
});

/** A quality gate evaluation: the metrics read from the reports and each condition's outcome. */
export const QualityReport = z.object({
  reportId: Id,
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1),
  application: ApplicationName,
  /** passed (OK or WARN), failed (ERROR), error (a report unreadable, SonarQube unreachable). */
  gate: QualityGateStatus,
  metrics: z.record(z.string(), z.number()).default({}),
  conditions: z.array(QualityCondition).default([]),
  evaluatedAt: Timestamp,
  details: JsonRecord.default({}),
  /** OK, WARN or ERROR, as SonarQube says it (the quality service fills it; older replies may not). */
  status: QualityStatus.optional(),
  gateName: z.string().optional(),
  provider: z.enum(['aviary', 'sonarqube']).optional(),
  branch: z.string().optional(),
  sha: z.string().optional(),
  subProjects: z.array(QualitySubProject).optional(),
  /** The projects whose gate failed: `(project)` for the whole, else sub-project folders. */
  failing: z.array(z.string()).optional(),
  /** Reports that could not be read, each with the problem: the gate failed "report unreadable". */
  unreadable: z.array(z.object({ kind: z.string(), file: z.string(), problem: z.string() })).optional(),
  /** Whether new code (lines changed since the previous main build) was measured, and why not. */
  newCode: z
    .object({
      available: z.boolean(),
      reason: z.string().optional(),
      baseSha: z.string().optional(),
      files: z.int().min(0).optional(),
      lines: z.int().min(0).optional(),
    })
    .optional(),
  /** The previous main build's evaluation, and each metric's change since it. */
  previous: z
    .object({ reportId: Id, sha: z.string().optional(), status: QualityStatus, evaluatedAt: Timestamp })
    .optional(),
  delta: z.record(z.string(), z.number()).optional(),
});
export type QualityReport = z.infer<typeof QualityReport>;

export const GetQualityReport = defineQuery({
  path: 'quality.get-report',
  description: 'The quality gate report of a stage (the gateway serves it to the UI and the API).',
  schema: ReportRef,
  replySchema: z.discriminatedUnion('found', [
    z.object({ found: z.literal(true), report: QualityReport }),
    NotFound,
  ]),
});
