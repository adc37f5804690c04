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

export const QualityGateStatus = z.enum(['passed', 'failed', 'error', 'none']);

/** A quality gate evaluation: the metrics read from the reports and each condition's outcome. */
export const QualityReport = z.object({
  reportId: Id,
  executionId: Id,
  stageId: Id,
  attempt: z.int().min(1),
  application: ApplicationName,
  gate: QualityGateStatus,
  metrics: z.record(z.string(), z.number()).default({}),
  conditions: z
    .array(
      z.object({
        metric: z.string().min(1),
        operator: z.enum(['lt', 'lte', 'gt', 'gte', 'eq']),
        threshold: z.number(),
        actual: z.number().optional(),
        passed: z.boolean(),
      }),
    )
    .default([]),
  evaluatedAt: Timestamp,
  details: JsonRecord.default({}),
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
