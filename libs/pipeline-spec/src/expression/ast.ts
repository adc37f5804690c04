/**
 * The precondition language's syntax tree. Every node keeps where it stands in the source text
 * (`start` inclusive, `end` exclusive, 0-based), so validation can point at the part that is wrong.
 */

export type Literal = string | number | boolean | null;

export const COMPARISON_OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

interface Span {
  start: number;
  end: number;
}

export type Expression =
  | (Span & { kind: 'literal'; value: Literal })
  | (Span & { kind: 'list'; items: Expression[] })
  /** `stage("id").status`; `idStart` is where the quoted id begins. */
  | (Span & { kind: 'stage-status'; stageId: string; idStart: number })
  /** `stage("id").outputs.name`. */
  | (Span & { kind: 'stage-output'; stageId: string; idStart: number; output: string; outputStart: number })
  /** `trigger.branch`, `trigger.sha`, ... */
  | (Span & { kind: 'trigger'; field: string })
  | (Span & { kind: 'not'; operand: Expression })
  | (Span & { kind: 'logical'; operator: '&&' | '||'; left: Expression; right: Expression })
  | (Span & { kind: 'compare'; operator: ComparisonOperator; left: Expression; right: Expression })
  /** `value in [a, b]`. */
  | (Span & { kind: 'in'; value: Expression; list: Expression })
  /** `value matches "glob"`: the glob rules of branch patterns. */
  | (Span & { kind: 'matches'; value: Expression; pattern: string });

/** Every node under (and including) the given one, depth first. */
export function* walkExpression(node: Expression): Generator<Expression> {
  yield node;
  switch (node.kind) {
    case 'list':
      for (const item of node.items) yield* walkExpression(item);
      break;
    case 'not':
      yield* walkExpression(node.operand);
      break;
    case 'logical':
    case 'compare':
      yield* walkExpression(node.left);
      yield* walkExpression(node.right);
      break;
    case 'in':
      yield* walkExpression(node.value);
      yield* walkExpression(node.list);
      break;
    case 'matches':
      yield* walkExpression(node.value);
      break;
    default:
      break;
  }
}

/** The ids of the stages an expression reads (status or outputs), each once, in order of appearance. */
export function referencedStages(node: Expression): string[] {
  const ids = new Set<string>();
  for (const part of walkExpression(node)) {
    if (part.kind === 'stage-status' || part.kind === 'stage-output') ids.add(part.stageId);
  }
  return [...ids];
}
