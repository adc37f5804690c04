import { walkExpression } from '../expression/ast.js';
import { parseExpression } from '../expression/parser.js';
import { staticProblems } from '../expression/static-check.js';
import { didYouMean, nearest } from '../nearest.js';
import { hasTemplate, parseTemplate } from '../templates/template.js';
import { findCycles, upstreamOf } from './graph.js';
import { formatPath, type DocPath, type Problem } from './problem.js';
import { type StageDraft } from './stage-draft.js';

/** Duplicate ids, unknown dependencies and cycles. */
export function graphProblems(drafts: readonly StageDraft[]): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, StageDraft>();
  for (const draft of drafts) {
    if (draft.id === undefined) continue;
    const earlier = first.get(draft.id);
    if (earlier === undefined) first.set(draft.id, draft);
    else
      problems.push({
        path: [...draft.path, 'id'],
        message: `duplicate stage id "${draft.id}"`,
        hint: `${formatPath(earlier.path)} already has this id`,
      });
  }
  const ids = [...first.keys()];
  for (const draft of drafts) {
    for (const dependency of draft.dependsOn) {
      if (!first.has(dependency.id)) {
        problems.push({
          path: dependency.path,
          message: `depends on "${dependency.id}", which is not a stage`,
          hint:
            didYouMean(
              dependency.id,
              ids.filter((id) => id !== draft.id),
              'stages',
            ) ?? `stages: ${ids.join(', ')}`,
        });
      }
    }
  }
  const edges = new Map(
    [...first].map(([id, draft]) => [id, draft.dependsOn.map((dependency) => dependency.id)]),
  );
  for (const cycle of findCycles(ids, edges)) {
    const [from, to] = cycle as [string, string];
    const draft = first.get(from) as StageDraft;
    const at = draft.dependsOn.find((dependency) => dependency.id === to)?.path ?? draft.path;
    const implicit = at === draft.path ? ' (the previous stage, as dependsOn is not given)' : '';
    problems.push({
      path: at,
      message: `dependsOn forms a cycle: ${cycle.join(' -> ')}${implicit}`,
      hint: 'a stage cannot wait for itself: remove one of these dependencies',
    });
  }
  return problems;
}

interface Scope {
  byId: Map<string, StageDraft>;
  upstream: Map<string, Set<string>>;
}

function stageReferenceProblem(
  scope: Scope,
  reader: StageDraft,
  stageId: string,
  output: string | undefined,
  written: string,
): (Omit<Problem, 'path'> & { onOutput?: true }) | undefined {
  const target = scope.byId.get(stageId);
  if (target === undefined) {
    const ids = [...scope.byId.keys()].filter((id) => id !== reader.id);
    return {
      message: `${written} refers to stage "${stageId}", which does not exist`,
      hint: didYouMean(stageId, ids, 'stages') ?? `stages: ${ids.join(', ')}`,
    };
  }
  if (target === reader || stageId === reader.id) {
    return {
      message: `${written}: a stage cannot read its own ${output === undefined ? 'status' : 'outputs'}`,
    };
  }
  if (reader.id !== undefined && !(scope.upstream.get(reader.id)?.has(stageId) ?? false)) {
    return {
      message: `${written}: stage "${stageId}" is not upstream of "${reader.id}", so it may not have run yet`,
      hint: `add "${stageId}" to dependsOn, directly or through a stage that depends on it`,
    };
  }
  if (output !== undefined && target.outputs !== undefined && !target.outputs.includes(output)) {
    const declared = target.type === 'run' ? '; a run stage declares its own in "outputs:"' : '';
    const guess = nearest(output, target.outputs);
    return {
      onOutput: true,
      message: `${written}: stage "${stageId}" (${target.type}) has no output "${output}"`,
      hint:
        guess !== undefined
          ? `did you mean "${guess}"?`
          : target.outputs.length === 0
            ? `it has no outputs${declared}`
            : `its outputs: ${target.outputs.join(', ')}${declared}`,
    };
  }
  return undefined;
}

function at(path: DocPath, offset: number, found: Omit<Problem, 'path'>): Problem {
  return { ...found, path, offsetInValue: offset };
}

function expressionProblems(scope: Scope, draft: StageDraft, text: string, path: DocPath): Problem[] {
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    const { message, offset, hint } = parsed.error;
    return [
      at(
        path,
        offset,
        hint === undefined
          ? { message: `invalid expression: ${message}` }
          : { message: `invalid expression: ${message}`, hint },
      ),
    ];
  }
  const problems = staticProblems(parsed.ast).map(({ message, offset, hint }) =>
    at(path, offset, hint === undefined ? { message } : { message, hint }),
  );
  for (const node of walkExpression(parsed.ast)) {
    if (node.kind !== 'stage-status' && node.kind !== 'stage-output') continue;
    const output = node.kind === 'stage-output' ? node.output : undefined;
    const found = stageReferenceProblem(scope, draft, node.stageId, output, text.slice(node.start, node.end));
    if (found === undefined) continue;
    const { onOutput, ...rest } = found;
    problems.push(at(path, onOutput && node.kind === 'stage-output' ? node.outputStart : node.idStart, rest));
  }
  return problems;
}

/** `${...}` references and expressions: syntax, existing stages and outputs, upstream only. */
export function referenceProblems(drafts: readonly StageDraft[]): Problem[] {
  const byId = new Map<string, StageDraft>();
  for (const draft of drafts) if (draft.id !== undefined && !byId.has(draft.id)) byId.set(draft.id, draft);
  const edges = new Map(
    [...byId].map(([id, draft]) => [id, draft.dependsOn.map((dependency) => dependency.id)]),
  );
  const scope: Scope = { byId, upstream: upstreamOf(edges) };
  const problems: Problem[] = [];
  for (const draft of drafts) {
    for (const { value, path } of draft.strings) {
      if (!hasTemplate(value)) continue;
      for (const part of parseTemplate(value)) {
        if (part.kind === 'error') {
          problems.push(
            at(
              path,
              part.offset,
              part.hint === undefined
                ? { message: part.message }
                : { message: part.message, hint: part.hint },
            ),
          );
        } else if (part.kind === 'reference' && part.reference.kind !== 'trigger') {
          const output = part.reference.kind === 'stage-output' ? part.reference.output : undefined;
          const found = stageReferenceProblem(scope, draft, part.reference.stageId, output, part.source);
          if (found !== undefined) {
            const { onOutput: _onOutput, ...rest } = found;
            problems.push(at(path, part.offset, rest));
          }
        }
      }
    }
    for (const { text, path } of draft.expressions)
      problems.push(...expressionProblems(scope, draft, text, path));
  }
  return problems;
}
