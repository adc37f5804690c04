import { type StageCommandData } from '@aviary/events';
import { type Thresholds } from '@aviary/judge';
import { CanaryAnalysisSettings } from '@aviary/pipeline-spec';
import { z } from 'zod';
import { type PlannedInterval, planIntervals } from './interval-plan.js';

/** Settings that cannot be used: the stage fails, and retrying will not help. */
export class InvalidAnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAnalysisError';
  }
}

const Millis = z.int().min(0);
const Targets = z
  .union([z.array(z.string().min(1)), z.string()])
  .optional()
  .transform((value) =>
    value === undefined
      ? []
      : Array.isArray(value)
        ? value
        : value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
  );

/** The settings as the orchestrator sends them: defaults filled in, durations in milliseconds. */
export const ResolvedAnalysisSettings = CanaryAnalysisSettings.extend({
  lifetime: Millis,
  interval: Millis,
  delay: Millis,
  step: Millis.optional(),
  lookback: Millis.optional(),
  baselineOffset: Millis.optional(),
  baselineTargets: Targets,
  canaryTargets: Targets,
});

/** Everything an analysis runs by, fixed when it starts (persisted: a resumed analysis reads it). */
export interface AnalysisSpec {
  configName: string;
  thresholds: Thresholds;
  stepSeconds: number;
  source: 'prometheus' | 'scrape';
  baseline: { scope: string; location: string };
  canary: { scope: string; location: string };
  extendedScopeParams: Record<string, string>;
  targets: { baseline: string[]; canary: string[] };
  intervals: PlannedInterval[];
}

/** Kayenta's default step. */
const DEFAULT_STEP_MS = 60_000;

export function analysisSpec(
  command: StageCommandData,
  now: number,
  hasPrometheus: boolean,
): { spec: AnalysisSpec; inlineConfig?: Record<string, unknown> } {
  const parsed = ResolvedAnalysisSettings.safeParse(command.settings);
  if (!parsed.success)
    throw new InvalidAnalysisError(
      `invalid canary-analysis settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ')}`,
    );
  const s = parsed.data;
  if (s.thresholds.marginal > s.thresholds.pass)
    throw new InvalidAnalysisError(
      `the marginal threshold ${s.thresholds.marginal} is above the pass threshold ${s.thresholds.pass}`,
    );
  if ((s.startTime === undefined) !== (s.endTime === undefined))
    throw new InvalidAnalysisError('a retrospective analysis needs both startTime and endTime');
  const source = s.source ?? (hasPrometheus ? 'prometheus' : 'scrape');
  if (source === 'prometheus' && !hasPrometheus)
    throw new InvalidAnalysisError(
      'source prometheus: the canary service has no Prometheus (set CANARY_PROMETHEUS_URL)',
    );
  if (source === 'scrape' && (s.baselineTargets.length === 0 || s.canaryTargets.length === 0))
    throw new InvalidAnalysisError(
      'source scrape: no baselineTargets/canaryTargets to scrape (the deploy target gives none on Kubernetes: use Prometheus there)',
    );
  const stepMs = s.step ?? DEFAULT_STEP_MS;
  if (stepMs < 1000) throw new InvalidAnalysisError('the step must be at least 1s');
  let intervals: PlannedInterval[];
  try {
    intervals = planIntervals({
      now,
      lifetimeMs: s.lifetime,
      intervalMs: s.interval,
      delayMs: s.delay,
      lookbackMs: s.lookback ?? 0,
      baselineOffsetMs: s.baselineOffset ?? 0,
      ...(s.startTime ? { startTime: Date.parse(s.startTime) } : {}),
      ...(s.endTime ? { endTime: Date.parse(s.endTime) } : {}),
    });
  } catch (error) {
    throw new InvalidAnalysisError((error as Error).message);
  }
  if (intervals.length === 0) throw new InvalidAnalysisError('the lifetime holds no whole interval');
  return {
    spec: {
      configName: s.config,
      thresholds: s.thresholds,
      stepSeconds: stepMs / 1000,
      source,
      baseline: { scope: s.baselineScope, location: s.location },
      canary: { scope: s.canaryScope, location: s.location },
      extendedScopeParams: s.extendedScopeParams ?? {},
      targets: { baseline: s.baselineTargets, canary: s.canaryTargets },
      intervals,
    },
    ...(s.canaryConfig ? { inlineConfig: s.canaryConfig } : {}),
  };
}
