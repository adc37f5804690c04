import { branchMatches } from '../branch-match.js';
import { type ExecutionContext } from '../context.js';
import { type ComparisonOperator, type Expression } from './ast.js';

/** A run-time failure of an expression: a value of the wrong type where it was used. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    message: string,
    /** The part of the expression text that failed (0-based, end exclusive). */
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : value === undefined ? 'null' : JSON.stringify(value);
}

function requireBoolean(value: unknown, node: Expression, role: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ExpressionError(
      `${role} must be true or false, but is ${typeOf(value)} ${show(value)}`,
      node.start,
      node.end,
    );
  }
  return value;
}

function equal(left: unknown, right: unknown, node: Expression): boolean {
  if (left === null || left === undefined || right === null || right === undefined) {
    return (left ?? null) === (right ?? null);
  }
  const [leftType, rightType] = [typeOf(left), typeOf(right)];
  if (leftType !== rightType || leftType === 'list' || leftType === 'object') {
    throw new ExpressionError(
      `cannot compare ${leftType} ${show(left)} with ${rightType} ${show(right)}`,
      node.start,
      node.end,
    );
  }
  return left === right;
}

function order(operator: ComparisonOperator, left: unknown, right: unknown, node: Expression): boolean {
  const bothNumbers = typeof left === 'number' && typeof right === 'number';
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  if (!bothNumbers && !bothStrings) {
    throw new ExpressionError(
      `cannot order ${typeOf(left)} ${show(left)} and ${typeOf(right)} ${show(right)} with ${operator}: both must be numbers or both strings`,
      node.start,
      node.end,
    );
  }
  const [a, b] = [left, right];
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function value(node: Expression, context: ExecutionContext): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'list':
      return node.items.map((item) => value(item, context));
    case 'stage-status':
      return context.stages[node.stageId]?.status ?? 'NOT_STARTED';
    case 'stage-output':
      return context.stages[node.stageId]?.outputs[node.output] ?? null;
    case 'trigger':
      return context.trigger[node.field as keyof ExecutionContext['trigger']] ?? null;
    case 'not':
      return !requireBoolean(value(node.operand, context), node.operand, 'the operand of "!"');
    case 'logical': {
      const left = requireBoolean(
        value(node.left, context),
        node.left,
        `the left side of "${node.operator}"`,
      );
      if (node.operator === '&&' ? !left : left) return left;
      return requireBoolean(value(node.right, context), node.right, `the right side of "${node.operator}"`);
    }
    case 'compare': {
      const [left, right] = [value(node.left, context), value(node.right, context)];
      if (node.operator === '==') return equal(left, right, node);
      if (node.operator === '!=') return !equal(left, right, node);
      return order(node.operator, left, right, node);
    }
    case 'in': {
      const list = value(node.list, context);
      if (!Array.isArray(list)) {
        throw new ExpressionError(
          `the right side of "in" must be a list, but is ${typeOf(list)} ${show(list)}`,
          node.list.start,
          node.list.end,
        );
      }
      const item = value(node.value, context) ?? null;
      return list.some((candidate) => (candidate ?? null) === item);
    }
    case 'matches': {
      const subject = value(node.value, context);
      if (subject === null || subject === undefined) return false;
      if (typeof subject !== 'string') {
        throw new ExpressionError(
          `"matches" needs a string on its left, but has ${typeOf(subject)} ${show(subject)}`,
          node.value.start,
          node.value.end,
        );
      }
      return branchMatches([node.pattern], subject);
    }
  }
}

/**
 * Evaluates a parsed expression against the execution as it stands. A stage that has not started has
 * status NOT_STARTED; a missing output or trigger field is null. Throws ExpressionError when values of
 * incompatible types meet (`"a" < 3`, `!"text"`) or when the result is not true or false.
 */
export function evaluateExpression(ast: Expression, context: ExecutionContext): boolean {
  return requireBoolean(value(ast, context), ast, 'the expression');
}
