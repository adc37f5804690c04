import { z } from 'zod';
import { type MetricKey, METRICS, newCodeMetric, resolveMetric } from '../measures/metrics.js';
import { ISSUE_TYPES, type RuleTable, SEVERITIES } from '../measures/rules.js';

export const OPERATORS = ['gt', 'lt'] as const;
export type Operator = (typeof OPERATORS)[number];

/** One condition: the metric, and the values past which it warns or fails (`gt`: above; `lt`: below). */
export interface Condition {
  metric: MetricKey;
  op: Operator;
  error?: number;
  warning?: number;
  /** Read the metric on the lines changed since the previous main build (`coverage` -> `new_coverage`). */
  onNewCode: boolean;
}

export interface QualityGate {
  name: string;
  conditions: Condition[];
  /** Folder globs (`api/v*`): each folder is gated on its own. */
  subProjects: string[];
  /** Overrides of the ESLint rule-to-category table. */
  rules: RuleTable;
}

const worseThanA = (metric: MetricKey): Condition => ({ metric, op: 'gt', error: 1, onNewCode: false });
const anyOf = (metric: MetricKey): Condition => ({ metric, op: 'gt', error: 0, onNewCode: false });

/** The team's SonarQube gate, built in as `default`. */
export const DEFAULT_GATE: QualityGate = {
  name: 'default',
  conditions: [
    anyOf('blocker_violations'),
    anyOf('bugs'),
    anyOf('code_smells'),
    anyOf('duplicated_blocks'),
    anyOf('major_violations'),
    anyOf('vulnerabilities'),
    { metric: 'coverage', op: 'lt', error: 92, warning: 95, onNewCode: false },
    worseThanA('sqale_rating'),
    worseThanA('reliability_rating'),
    worseThanA('security_rating'),
  ],
  subProjects: [],
  rules: {},
};

const RATING_VALUES: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };
/** A threshold: a number, or a rating letter for rating metrics (`error: A` means worse than A fails). */
const Threshold = z.union([
  z.number(),
  z.enum(['A', 'B', 'C', 'D', 'E']).transform((l) => RATING_VALUES[l]!),
]);

const ConditionInput = z
  .object({
    metric: z.string().min(1),
    op: z.enum(OPERATORS),
    error: Threshold.optional(),
    warning: Threshold.optional(),
    onNewCode: z.boolean().default(false),
  })
  .strict()
  .check((ctx) => {
    const c = ctx.value;
    const key = resolveMetric(c.metric);
    if (!key)
      ctx.issues.push({
        code: 'custom',
        input: c.metric,
        path: ['metric'],
        message: `unknown metric "${c.metric}"`,
      });
    else if (c.onNewCode && !newCodeMetric(key))
      ctx.issues.push({
        code: 'custom',
        input: c.metric,
        path: ['onNewCode'],
        message: `${c.metric} has no value on new code`,
      });
    if (c.error === undefined && c.warning === undefined)
      ctx.issues.push({
        code: 'custom',
        input: c,
        path: [],
        message: 'a condition needs an error or a warning threshold',
      });
  })
  .transform((c): Condition => ({
    metric: resolveMetric(c.metric)!,
    op: c.op,
    onNewCode: c.onNewCode,
    ...(c.error !== undefined ? { error: c.error } : {}),
    ...(c.warning !== undefined ? { warning: c.warning } : {}),
  }));

const RuleMappingInput = z
  .object({
    type: z.enum(ISSUE_TYPES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    effort: z.number().min(0).optional(),
  })
  .strict();

/**
 * A gate as written in `gate.yaml` (or JSON): `conditions`, optionally `name`, `subProjects`,
 * `rules`, and `extends: default` to add conditions to the built-in gate.
 */
export const GateFile = z
  .object({
    name: z.string().min(1).optional(),
    extends: z.literal('default').optional(),
    conditions: z.array(ConditionInput).default([]),
    subProjects: z.array(z.string().min(1)).default([]),
    rules: z.record(z.string().min(1), RuleMappingInput).default({}),
  })
  .strict();
export type GateFileInput = z.input<typeof GateFile>;

export class GateDefinitionError extends Error {
  override readonly name = 'GateDefinitionError';
}

/** A gate from its file's parsed content; throws GateDefinitionError naming each problem. */
export function gateFromDefinition(input: unknown, fallbackName = 'custom'): QualityGate {
  const parsed = GateFile.safeParse(input);
  if (!parsed.success)
    throw new GateDefinitionError(
      parsed.error.issues
        .map((i) => `${i.path.length ? i.path.join('.') : '(gate)'}: ${i.message}`)
        .join('; '),
    );
  const g = parsed.data;
  const base = g.extends === 'default' ? DEFAULT_GATE.conditions : [];
  if (base.length + g.conditions.length === 0)
    throw new GateDefinitionError('conditions: a gate needs at least one condition');
  return {
    name: g.name ?? fallbackName,
    conditions: [...base, ...g.conditions],
    subProjects: g.subProjects,
    rules: g.rules,
  };
}

/** The metric a condition reads. */
export function conditionMetric(condition: Condition): MetricKey {
  return condition.onNewCode ? (newCodeMetric(condition.metric) ?? condition.metric) : condition.metric;
}

export const metricName = (key: MetricKey) => METRICS[key].name;
