import { STAGE_STATUSES } from '../model.js';
import { didYouMean } from '../nearest.js';
import { type Expression } from './ast.js';

/** A mistake found in a parsed expression before it runs. */
export interface ExpressionProblem {
  message: string;
  /** 0-based offset in the expression text. */
  offset: number;
  hint?: string;
}

type StaticType = 'boolean' | 'string' | 'number' | 'null' | 'list' | 'status' | 'unknown';

function typeOf(node: Expression): StaticType {
  switch (node.kind) {
    case 'literal':
      return node.value === null ? 'null' : (typeof node.value as 'string' | 'number' | 'boolean');
    case 'list':
      return 'list';
    case 'stage-status':
      return 'status';
    case 'stage-output':
      return 'unknown';
    case 'trigger':
      return 'string';
    default:
      return 'boolean';
  }
}

const base = (type: StaticType): StaticType => (type === 'status' ? 'string' : type);

function statusLiteral(node: Expression, problems: ExpressionProblem[]): void {
  if (
    node.kind === 'literal' &&
    typeof node.value === 'string' &&
    !(STAGE_STATUSES as readonly string[]).includes(node.value)
  ) {
    problems.push({
      message: `"${node.value}" is not a stage status`,
      offset: node.start,
      hint: didYouMean(node.value, STAGE_STATUSES, 'statuses') ?? `statuses: ${STAGE_STATUSES.join(', ')}`,
    });
  }
}

function requireBoolean(node: Expression, role: string, problems: ExpressionProblem[]): void {
  const type = typeOf(node);
  if (type !== 'boolean' && type !== 'unknown') {
    problems.push({
      message: `${role} must be true or false, but is a ${base(type)}`,
      offset: node.start,
      hint: 'compare it, e.g. trigger.branch == "main"',
    });
  }
}

/**
 * Type mistakes visible without running: a non-boolean where a condition is needed, comparing a string
 * with a number, ordering booleans, and statuses that do not exist (`stage("x").status == "SUCCEDED"`).
 */
export function staticProblems(ast: Expression): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  requireBoolean(ast, 'the expression', problems);
  const visit = (node: Expression): void => {
    switch (node.kind) {
      case 'list':
        node.items.forEach(visit);
        return;
      case 'not':
        requireBoolean(node.operand, 'the operand of "!"', problems);
        visit(node.operand);
        return;
      case 'logical':
        requireBoolean(node.left, `the left side of "${node.operator}"`, problems);
        requireBoolean(node.right, `the right side of "${node.operator}"`, problems);
        visit(node.left);
        visit(node.right);
        return;
      case 'compare': {
        const [left, right] = [typeOf(node.left), typeOf(node.right)];
        if (left === 'status') statusLiteral(node.right, problems);
        if (right === 'status') statusLiteral(node.left, problems);
        const known = [left, right].every((type) => type !== 'unknown' && type !== 'null');
        if (known && base(left) !== base(right)) {
          problems.push({
            message: `cannot compare a ${base(left)} with a ${base(right)}`,
            offset: node.start,
          });
        } else if (
          !['==', '!='].includes(node.operator) &&
          [left, right].some((type) => ['boolean', 'list', 'null'].includes(type))
        ) {
          problems.push({ message: `"${node.operator}" orders numbers or strings only`, offset: node.start });
        }
        visit(node.left);
        visit(node.right);
        return;
      }
      case 'in':
        if (typeOf(node.list) !== 'list' && typeOf(node.list) !== 'unknown') {
          problems.push({ message: 'the right side of "in" must be a [list]', offset: node.list.start });
        }
        if (typeOf(node.value) === 'status' && node.list.kind === 'list')
          node.list.items.forEach((item) => statusLiteral(item, problems));
        visit(node.value);
        visit(node.list);
        return;
      case 'matches':
        if (!['string', 'status', 'unknown'].includes(typeOf(node.value))) {
          problems.push({ message: '"matches" needs a string on its left', offset: node.value.start });
        }
        visit(node.value);
        return;
      default:
        return;
    }
  };
  visit(ast);
  return problems;
}
