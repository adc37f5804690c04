import { z } from 'zod';
import { STAGE_TYPES, type StageType } from '../model.js';
import { didYouMean } from '../nearest.js';
import { COMMON_STAGE_KEYS, StageCommonShape } from '../schema/pipeline-file.js';
import { STAGE_TYPE_SPECS, stageOutputs } from '../stage-types.js';
import { stringsIn } from '../templates/template.js';
import { type DocPath, type Problem } from './problem.js';
import { issuesToProblems } from './zod-issues.js';

/** What validation knows of one stage, even a broken one, to check the graph and the references. */
export interface StageDraft {
  index: number;
  path: DocPath;
  id?: string;
  type?: StageType;
  /** Where each dependency is written (an implicit one, the previous stage, points at the stage). */
  dependsOn: { id: string; path: DocPath }[];
  /** Every string of the type's settings, which may hold `${...}` references. */
  strings: { value: string; path: DocPath }[];
  /** Every precondition expression: `if.expression`, and a check-precondition's own. */
  expressions: { text: string; path: DocPath }[];
  /** The outputs this stage produces, when its type is known. */
  outputs?: string[];
}

export type StageCommon = z.output<typeof StageCommonSchema>;

/** A stage whose own fields are all valid, split into common fields and the type's settings. */
export interface CheckedStage {
  common: StageCommon;
  settings: Record<string, unknown>;
}

const StageCommonSchema = z.object(StageCommonShape);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function split(raw: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const common: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    (COMMON_STAGE_KEYS.includes(key) ? common : settings)[key] = value;
  return [common, settings];
}

function crossFieldProblems(type: StageType, settings: Record<string, unknown>, path: DocPath): Problem[] {
  if (
    type === 'check-precondition' &&
    settings['expression'] === undefined &&
    settings['expressions'] === undefined
  ) {
    return [
      {
        path,
        message: 'a check-precondition stage needs "expression" (or "expressions")',
        hint: 'e.g. expression: stage("canary-analysis").status == "SUCCEEDED"',
      },
    ];
  }
  if (type === 'canary-analysis') {
    const problems: Problem[] = [];
    const thresholds = settings['thresholds'] as { pass: number; marginal: number };
    if (thresholds.marginal > thresholds.pass) {
      problems.push({
        path: [...path, 'thresholds', 'marginal'],
        message: `the marginal threshold (${thresholds.marginal}) is above the pass threshold (${thresholds.pass})`,
      });
    }
    const [interval, lifetime] = [settings['interval'] as number, settings['lifetime'] as number];
    if (interval > lifetime)
      problems.push({
        path: [...path, 'interval'],
        message: 'the interval is longer than the lifetime',
        hint: 'the analysis judges whole intervals within its lifetime',
      });
    if (interval === 0)
      problems.push({ path: [...path, 'interval'], message: 'the interval must be longer than 0s' });
    return problems;
  }
  return [];
}

/**
 * Checks one stage as written: its common fields, its type, and the settings of that type. Returns
 * what the graph and reference checks need even when the stage has errors.
 */
export function checkStage(
  raw: unknown,
  index: number,
  previousId: string | undefined,
): { draft: StageDraft; problems: Problem[]; checked?: CheckedStage } {
  const path: DocPath = ['stages', index];
  const draft: StageDraft = { index, path, dependsOn: [], strings: [], expressions: [] };
  if (!isRecord(raw)) {
    return { draft, problems: [{ path, message: 'a stage is a mapping with at least "id" and "type"' }] };
  }
  const [commonPart, settingsPart] = split(raw);
  const problems: Problem[] = [];

  const common = StageCommonSchema.safeParse(commonPart);
  if (!common.success) {
    for (const found of issuesToProblems(common.error.issues, {
      data: commonPart,
      schema: StageCommonSchema,
      base: path,
    })) {
      const onType = found.path.length === path.length + 1 && found.path[path.length] === 'type';
      if (onType && typeof raw['type'] === 'string') {
        problems.push({
          path: found.path,
          message: `unknown stage type "${raw['type']}"`,
          hint: didYouMean(raw['type'], STAGE_TYPES) ?? `stage types: ${STAGE_TYPES.join(', ')}`,
        });
      } else problems.push(found);
    }
  }

  if (typeof raw['id'] === 'string') draft.id = raw['id'];
  const type = (STAGE_TYPES as readonly unknown[]).includes(raw['type'])
    ? (raw['type'] as StageType)
    : undefined;
  if (type !== undefined) draft.type = type;

  if (Array.isArray(raw['dependsOn'])) {
    raw['dependsOn'].forEach((id, position) => {
      if (typeof id === 'string') draft.dependsOn.push({ id, path: [...path, 'dependsOn', position] });
    });
  } else if (!('dependsOn' in raw) && previousId !== undefined) {
    draft.dependsOn.push({ id: previousId, path });
  }

  const condition = raw['if'];
  if (isRecord(condition)) {
    if (typeof condition['expression'] === 'string')
      draft.expressions.push({ text: condition['expression'], path: [...path, 'if', 'expression'] });
    if (condition['statuses'] !== undefined && draft.dependsOn.length === 0) {
      problems.push({
        path: [...path, 'if', 'statuses'],
        message: 'statuses are those of the dependencies, and this stage has none',
        hint: 'add dependsOn, or remove statuses',
      });
    }
  }
  for (const found of stringsIn(settingsPart))
    draft.strings.push({ value: found.value, path: [...path, ...found.path] });

  let settings: Record<string, unknown> | undefined;
  if (type !== undefined) {
    const spec = STAGE_TYPE_SPECS[type];
    draft.outputs = stageOutputs(type, settingsPart);
    const parsed = spec.settings.safeParse(settingsPart);
    if (parsed.success) {
      settings = parsed.data;
      problems.push(...crossFieldProblems(type, settings, path));
    } else {
      problems.push(
        ...issuesToProblems(parsed.error.issues, {
          data: settingsPart,
          schema: spec.settings,
          base: path,
          extraKeys: COMMON_STAGE_KEYS,
        }),
      );
    }
    if (type === 'check-precondition') {
      if (typeof settingsPart['expression'] === 'string')
        draft.expressions.push({ text: settingsPart['expression'], path: [...path, 'expression'] });
      if (Array.isArray(settingsPart['expressions'])) {
        settingsPart['expressions'].forEach((text, position) => {
          if (typeof text === 'string')
            draft.expressions.push({ text, path: [...path, 'expressions', position] });
        });
      }
      // Expressions are checked as expressions, not as templates.
      draft.strings = draft.strings.filter(
        (found) => !['expression', 'expressions'].includes(String(found.path[path.length])),
      );
    }
  }

  if (problems.length > 0 || !common.success || settings === undefined) return { draft, problems };
  return { draft, problems, checked: { common: common.data, settings } };
}
