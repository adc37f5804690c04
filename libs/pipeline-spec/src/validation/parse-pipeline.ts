import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { type ResolvedPipeline } from '../model.js';
import { type SettingsOrigin } from '../presets/expansion.js';
import { expandNodeService } from '../presets/node-service.js';
import { ExplicitPipelineTop, NodeServicePreset } from '../schema/pipeline-file.js';
import { buildPipeline, type PipelineHead } from './build-pipeline.js';
import { type PipelineError } from './errors.js';
import { Locator } from './locate.js';
import { type DocPath, type Problem } from './problem.js';
import { graphProblems, referenceProblems } from './references.js';
import { checkStage, type CheckedStage } from './stage-draft.js';
import { issuesToProblems } from './zod-issues.js';

export type ParsePipelineResult =
  { ok: true; pipeline: ResolvedPipeline } | { ok: false; errors: PipelineError[] };

export interface ParsePipelineOptions {
  /** Set as `file` on every error (e.g. `.aviary/pipeline.yaml`). */
  fileName?: string;
}

type Checked = { problems: Problem[]; pipeline?: ResolvedPipeline };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function checkExplicit(data: Record<string, unknown>, timeoutOverride?: number): Checked {
  const problems: Problem[] = [];
  const top = ExplicitPipelineTop.safeParse(data);
  if (!top.success) {
    problems.push(...issuesToProblems(top.error.issues, { data, schema: ExplicitPipelineTop, base: [] }));
  }
  const rawStages = Array.isArray(data['stages']) ? (data['stages'] as unknown[]) : [];
  const results = rawStages.map((raw, index) => {
    const previous = rawStages[index - 1];
    const previousId = isRecord(previous) && typeof previous['id'] === 'string' ? previous['id'] : undefined;
    return checkStage(raw, index, previousId);
  });
  const drafts = results.map((result) => result.draft);
  problems.push(
    ...results.flatMap((result) => result.problems),
    ...graphProblems(drafts),
    ...referenceProblems(drafts),
  );
  if (problems.length > 0 || !top.success) return { problems };

  const head: PipelineHead = {
    name: top.data.name,
    concurrency: top.data.concurrency,
    triggers: top.data.triggers,
  };
  if (top.data.notifications !== undefined) head.notifications = top.data.notifications;
  const timeout = timeoutOverride ?? top.data.timeout;
  if (timeout !== undefined) head.timeout = timeout;
  const stages = results.map(({ draft, checked }) => ({
    checked: checked as CheckedStage,
    dependsOn: draft.dependsOn.map((dependency) => dependency.id),
  }));
  return { problems, pipeline: buildPipeline(head, stages) };
}

/** A path in the expanded document, as the path of the preset argument it came from. */
function originOf(path: DocPath, origins: readonly SettingsOrigin[]): DocPath {
  const [root, index, key, ...rest] = path;
  const origin = origins.find(
    (candidate) => root === 'stages' && candidate.stageIndex === index && candidate.key === key,
  );
  return origin === undefined ? ['preset'] : [...origin.path, ...rest];
}

function checkPreset(data: Record<string, unknown>): Checked {
  const problems: Problem[] = [];
  const { stages: _stages, ...args } = data;
  if ('stages' in data) {
    problems.push({
      path: ['stages'],
      atKey: true,
      message: 'stages cannot be combined with a preset',
      hint: 'remove "preset:" and write every stage, or remove "stages:"',
    });
  }
  const parsed = NodeServicePreset.safeParse(args);
  if (!parsed.success) {
    problems.push(
      ...issuesToProblems(parsed.error.issues, { data: args, schema: NodeServicePreset, base: [] }),
    );
    return { problems };
  }
  const expansion = expandNodeService(parsed.data);
  const expanded = checkExplicit(expansion.document, parsed.data.timeout);
  problems.push(
    ...expanded.problems.map((found) => ({ ...found, path: originOf(found.path, expansion.origins) })),
  );
  if (problems.length > 0 || expanded.pipeline === undefined) return { problems };
  return { problems, pipeline: { ...expanded.pipeline, preset: parsed.data.preset } };
}

/** Checks already-parsed data (JSON or YAML turned into values); problems have paths, not positions. */
export function checkPipelineData(data: unknown): Checked {
  if (!isRecord(data)) {
    return {
      problems: [
        {
          path: [],
          message: data === null || data === undefined ? 'the file is empty' : 'a pipeline file is a mapping',
          hint: 'start with "preset: node-service" and "name:", or "name:" and "stages:"',
        },
      ],
    };
  }
  if ('preset' in data) return checkPreset(data);
  const checked = checkExplicit(data);
  if (!('stages' in data)) {
    for (const found of checked.problems) {
      if (found.path.length === 1 && found.path[0] === 'stages') {
        found.hint = 'write "preset: node-service", or list the stages';
      }
    }
  }
  return checked;
}

function yamlError(error: YAMLError): PipelineError {
  const [firstLine = error.message] = error.message.split('\n');
  const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  const position = error.linePos?.[0] ?? { line: 1, col: 1 };
  const result: PipelineError = {
    path: '(root)',
    line: position.line,
    column: position.col,
    message: `YAML: ${message}`,
  };
  if (error.code === 'DUPLICATE_KEY') result.hint = 'each key may appear once in a mapping';
  if (error.code === 'TAB_AS_INDENT') result.hint = 'indent with spaces';
  return result;
}

/**
 * Parses `.aviary/pipeline.yaml` text: YAML, schema, preset expansion, the stage graph, references and
 * expressions. Either the resolved pipeline, or every error found, each with its path in the document,
 * its line and column, and a hint where one helps, in the order they appear in the file.
 */
export function parsePipeline(text: string, options: ParsePipelineOptions = {}): ParsePipelineResult {
  const result = parse(text);
  if (result.ok || options.fileName === undefined) return result;
  const file = options.fileName;
  return { ok: false, errors: result.errors.map((error) => ({ file, ...error })) };
}

function parse(text: string): ParsePipelineResult {
  const lines = new LineCounter();
  // Merge keys (`<<: *common`) let stages share settings through anchors, as in other CI files.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, merge: true });
  if (document.errors.length > 0) return { ok: false, errors: document.errors.map(yamlError) };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '(root)', line: 1, column: 1, message: `YAML: ${(error as Error).message}` }],
    };
  }
  const { problems, pipeline } = checkPipelineData(data);
  if (pipeline !== undefined && problems.length === 0) return { ok: true, pipeline };
  const locator = new Locator(text, document, lines);
  const errors = problems.map((found) => locator.locate(found));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, errors };
}
