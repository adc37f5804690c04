import { TRIGGER_FIELDS } from '../context.js';
import { didYouMean } from '../nearest.js';
import { COMPARISON_OPERATORS, type ComparisonOperator, type Expression } from './ast.js';

/**
 * A hand-written recursive-descent parser for the precondition language. Lowest to highest precedence:
 *
 *   expression := or
 *   or         := and ("||" and)*
 *   and        := not ("&&" not)*
 *   not        := "!" not | comparison
 *   comparison := value (("==" | "!=" | "<" | "<=" | ">" | ">=") value | "in" value | "matches" string)?
 *   value      := string | number | true | false | null | "[" (value ("," value)*)? "]" | "(" or ")"
 *               | stage "(" string ")" "." ("status" | "outputs" "." name) | trigger "." field
 *
 * `!` applies to a whole comparison: `!trigger.branch matches "feature/*"`.
 */

export interface ExpressionSyntaxError {
  message: string;
  /** 0-based offset in the expression text. */
  offset: number;
  hint?: string;
}

export type ParseExpressionResult =
  { ok: true; ast: Expression } | { ok: false; error: ExpressionSyntaxError };

type TokenKind = 'string' | 'number' | 'name' | 'symbol' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value: string | number;
  start: number;
  end: number;
}

const SYMBOLS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ',', '.'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };
const WORD_OPERATORS: Record<string, string> = { and: '&&', or: '||', not: '!' };

class SyntaxFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '"' || char === "'") {
      const start = i;
      let value = '';
      i += 1;
      while (i < text.length && text.charAt(i) !== char) {
        if (text.charAt(i) === '\\') {
          const escaped = ESCAPES[text.charAt(i + 1)];
          if (escaped === undefined)
            throw new SyntaxFailure(i, `unknown escape "\\${text.charAt(i + 1)}" in a string`);
          value += escaped;
          i += 2;
        } else {
          value += text.charAt(i);
          i += 1;
        }
      }
      if (i >= text.length) throw new SyntaxFailure(start, `unterminated string: expected a closing ${char}`);
      i += 1;
      tokens.push({ kind: 'string', text: text.slice(start, i), value, start, end: i });
    } else if (/[0-9]/.test(char) || (char === '-' && /[0-9]/.test(text.charAt(i + 1)))) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({
        kind: 'number',
        text: match[0],
        value: Number(match[0]),
        start: i,
        end: i + match[0].length,
      });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', text: match[0], value: match[0], start: i, end: i + match[0].length });
      i += match[0].length;
    } else {
      const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, i));
      if (symbol === undefined) {
        const hint =
          char === '='
            ? 'compare with "=="'
            : char === '&'
              ? 'use "&&"'
              : char === '|'
                ? 'use "||"'
                : undefined;
        throw new SyntaxFailure(i, `unexpected "${char}"`, hint);
      }
      tokens.push({ kind: 'symbol', text: symbol, value: symbol, start: i, end: i + symbol.length });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', start: text.length, end: text.length });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    const ast = this.or();
    const next = this.peek();
    if (next.kind !== 'end') {
      const word = WORD_OPERATORS[next.text];
      throw new SyntaxFailure(
        next.start,
        `expected an operator (==, !=, <, <=, >, >=, in, matches, &&, ||) or the end, found ${describe(next)}`,
        word === undefined ? undefined : `write "${word}" instead of "${next.text}"`,
      );
    }
    return ast;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === symbol;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text === name;
  }

  private expectSymbol(symbol: string, after: string): Token {
    if (!this.isSymbol(symbol)) {
      throw new SyntaxFailure(
        this.peek().start,
        `expected "${symbol}" ${after}, found ${describe(this.peek())}`,
      );
    }
    return this.take();
  }

  private or(): Expression {
    let left = this.and();
    while (this.isSymbol('||')) {
      this.take();
      const right = this.and();
      left = { kind: 'logical', operator: '||', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private and(): Expression {
    let left = this.not();
    while (this.isSymbol('&&')) {
      this.take();
      const right = this.not();
      left = { kind: 'logical', operator: '&&', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private not(): Expression {
    if (this.isSymbol('!')) {
      const bang = this.take();
      const operand = this.not();
      return { kind: 'not', operand, start: bang.start, end: operand.end };
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.value();
    const next = this.peek();
    if (next.kind === 'symbol' && (COMPARISON_OPERATORS as readonly string[]).includes(next.text)) {
      this.take();
      const right = this.value();
      const operator = next.text as ComparisonOperator;
      return { kind: 'compare', operator, left, right, start: left.start, end: right.end };
    }
    if (this.isName('in')) {
      this.take();
      const list = this.value();
      return { kind: 'in', value: left, list, start: left.start, end: list.end };
    }
    if (this.isName('matches')) {
      this.take();
      const pattern = this.take();
      if (pattern.kind !== 'string') {
        throw new SyntaxFailure(
          pattern.start,
          `expected a quoted glob pattern after "matches", found ${describe(pattern)}`,
        );
      }
      return {
        kind: 'matches',
        value: left,
        pattern: String(pattern.value),
        start: left.start,
        end: pattern.end,
      };
    }
    return left;
  }

  private value(): Expression {
    const token = this.take();
    switch (token.kind) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value, start: token.start, end: token.end };
      case 'name':
        return this.named(token);
      case 'symbol':
        if (token.text === '(') {
          const inner = this.or();
          const close = this.expectSymbol(')', `to close the "(" at column ${token.start + 1}`);
          return { ...inner, start: token.start, end: close.end };
        }
        if (token.text === '[') return this.list(token);
        break;
      default:
        break;
    }
    throw new SyntaxFailure(
      token.start,
      `expected a value (a string, a number, true, false, null, a [list], stage("<id>"), trigger.<field> or "("), found ${describe(token)}`,
    );
  }

  private named(token: Token): Expression {
    switch (token.text) {
      case 'true':
      case 'false':
        return { kind: 'literal', value: token.text === 'true', start: token.start, end: token.end };
      case 'null':
        return { kind: 'literal', value: null, start: token.start, end: token.end };
      case 'stage':
        return this.stageReference(token);
      case 'trigger': {
        this.expectSymbol('.', 'after "trigger"');
        const field = this.take();
        if (field.kind !== 'name' || !(TRIGGER_FIELDS as string[]).includes(field.text)) {
          throw new SyntaxFailure(
            field.start,
            `expected a trigger field after "trigger.", found ${describe(field)}`,
            didYouMean(field.text, TRIGGER_FIELDS, 'trigger fields'),
          );
        }
        return { kind: 'trigger', field: field.text, start: token.start, end: field.end };
      }
      default: {
        const word = WORD_OPERATORS[token.text];
        throw new SyntaxFailure(
          token.start,
          `unknown name "${token.text}": expected a value`,
          word !== undefined
            ? `write "${word}" instead of "${token.text}"`
            : token.text === 'stages'
              ? 'write stage("<id>").status or stage("<id>").outputs.<name>'
              : `${didYouMean(token.text, ['stage', 'trigger', 'true', 'false', 'null']) ?? 'strings are quoted: "text"'}`,
        );
      }
    }
  }

  private stageReference(keyword: Token): Expression {
    this.expectSymbol('(', 'after "stage"');
    const id = this.take();
    if (id.kind !== 'string') {
      throw new SyntaxFailure(id.start, `expected a quoted stage id in stage("<id>"), found ${describe(id)}`);
    }
    this.expectSymbol(')', 'after the stage id');
    this.expectSymbol('.', `after stage(${id.text}) (then status or outputs.<name>)`);
    const member = this.take();
    if (member.kind === 'name' && member.text === 'status') {
      return {
        kind: 'stage-status',
        stageId: String(id.value),
        idStart: id.start + 1,
        start: keyword.start,
        end: member.end,
      };
    }
    if (member.kind === 'name' && member.text === 'outputs') {
      this.expectSymbol('.', 'after "outputs"');
      const output = this.take();
      if (output.kind !== 'name') {
        throw new SyntaxFailure(
          output.start,
          `expected an output name after "outputs.", found ${describe(output)}`,
        );
      }
      return {
        kind: 'stage-output',
        stageId: String(id.value),
        idStart: id.start + 1,
        output: output.text,
        outputStart: output.start,
        start: keyword.start,
        end: output.end,
      };
    }
    throw new SyntaxFailure(
      member.start,
      `expected "status" or "outputs" after stage(${id.text}).`,
      member.kind === 'name' ? didYouMean(member.text, ['status', 'outputs']) : undefined,
    );
  }

  private list(open: Token): Expression {
    const items: Expression[] = [];
    if (!this.isSymbol(']')) {
      items.push(this.value());
      while (this.isSymbol(',')) {
        this.take();
        items.push(this.value());
      }
    }
    const close = this.expectSymbol(']', `to close the list at column ${open.start + 1}`);
    return { kind: 'list', items, start: open.start, end: close.end };
  }
}

/** Parses an expression, or says where it is wrong and what was expected there. */
export function parseExpression(text: string): ParseExpressionResult {
  try {
    return { ok: true, ast: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (!(error instanceof SyntaxFailure)) throw error;
    const result: ExpressionSyntaxError = {
      message: `${error.message} (column ${error.offset + 1})`,
      offset: error.offset,
    };
    if (error.hint !== undefined) result.hint = error.hint;
    return { ok: false, error: result };
  }
}
