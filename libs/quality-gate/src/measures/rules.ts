import picomatch from 'picomatch';
import { type AuditSeverity, type LintMessage, type LintReport } from '../reports/model.js';

export const ISSUE_TYPES = ['bug', 'vulnerability', 'code_smell'] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];
export const SEVERITIES = ['blocker', 'critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An issue as SonarQube counts it: a type, a severity, and the effort to fix it (technical debt). */
export interface Issue {
  path?: string;
  line?: number;
  rule: string;
  type: IssueType;
  severity: Severity;
  effortMinutes: number;
  message: string;
}

/** How one rule (or a `plugin/*` glob of rules) is counted. Unset fields keep the default. */
export interface RuleMapping {
  type?: IssueType;
  severity?: Severity;
  /** Minutes to fix one issue; only code smells add to the technical debt. */
  effort?: number;
}
export type RuleTable = Record<string, RuleMapping>;

/** Minutes to fix a code smell when the table does not say: SonarQube's usual JavaScript rule effort. */
export const DEFAULT_EFFORT_MINUTES = 5;

const bug = { type: 'bug' } as const;
const vulnerability = { type: 'vulnerability', severity: 'critical' } as const;

/**
 * The built-in table. ESLint's "possible problems" that are real defects are bugs; rules about
 * executing strings or unsafe HTML are vulnerabilities; every other rule is a code smell. The
 * severity is ESLint's level (error: major, warning: minor) unless a rule fixes it. A file ESLint
 * could not parse is a blocker bug. Entries of a gate's `rules:` override these, rule by rule.
 */
export const DEFAULT_RULES: RuleTable = Object.fromEntries<RuleMapping>([
  ...[
    'array-callback-return',
    'constructor-super',
    'for-direction',
    'getter-return',
    'no-async-promise-executor',
    'no-class-assign',
    'no-compare-neg-zero',
    'no-cond-assign',
    'no-const-assign',
    'no-constant-binary-expression',
    'no-constant-condition',
    'no-dupe-args',
    'no-dupe-class-members',
    'no-dupe-else-if',
    'no-dupe-keys',
    'no-duplicate-case',
    'no-empty-character-class',
    'no-ex-assign',
    'no-fallthrough',
    'no-func-assign',
    'no-import-assign',
    'no-invalid-regexp',
    'no-irregular-whitespace',
    'no-loss-of-precision',
    'no-misleading-character-class',
    'no-new-native-nonconstructor',
    'no-obj-calls',
    'no-promise-executor-return',
    'no-self-assign',
    'no-self-compare',
    'no-setter-return',
    'no-sparse-arrays',
    'no-this-before-super',
    'no-undef',
    'no-unexpected-multiline',
    'no-unmodified-loop-condition',
    'no-unreachable',
    'no-unsafe-finally',
    'no-unsafe-negation',
    'no-unsafe-optional-chaining',
    'no-unused-private-class-members',
    'use-isnan',
    'valid-typeof',
    'require-atomic-updates',
    '@typescript-eslint/no-floating-promises',
    '@typescript-eslint/no-misused-promises',
    '@typescript-eslint/await-thenable',
    '@typescript-eslint/no-unsafe-argument',
    '@typescript-eslint/no-unsafe-call',
    '@typescript-eslint/no-unsafe-member-access',
    '@typescript-eslint/no-unsafe-return',
    '@typescript-eslint/no-unsafe-assignment',
    '@typescript-eslint/restrict-plus-operands',
    '@typescript-eslint/switch-exhaustiveness-check',
    'react-hooks/rules-of-hooks',
  ].map((rule): [string, RuleMapping] => [rule, bug]),
  ...[
    'no-eval',
    'no-implied-eval',
    'no-new-func',
    'no-script-url',
    '@typescript-eslint/no-implied-eval',
    'security/*',
    'no-unsanitized/*',
    'react/no-danger',
    'react/no-danger-with-children',
  ].map((rule): [string, RuleMapping] => [rule, vulnerability]),
]);

const PARSE_ERROR = '(parse error)';

/** Classifies ESLint messages with the built-in table overridden by `overrides`. */
export class RuleClassifier {
  private readonly exact = new Map<string, RuleMapping>();
  private readonly globs: { match: (rule: string) => boolean; mapping: RuleMapping }[] = [];
  private readonly cache = new Map<string, RuleMapping>();

  constructor(overrides: RuleTable = {}) {
    for (const table of [DEFAULT_RULES, overrides])
      for (const [pattern, mapping] of Object.entries(table)) {
        if (/[*?[{]/.test(pattern)) this.globs.unshift({ match: picomatch(pattern), mapping });
        else this.exact.set(pattern, { ...this.exact.get(pattern), ...mapping });
      }
  }

  mappingOf(rule: string): RuleMapping {
    let mapping = this.cache.get(rule);
    if (mapping === undefined) {
      mapping = this.exact.get(rule) ?? this.globs.find((g) => g.match(rule))?.mapping ?? {};
      this.cache.set(rule, mapping);
    }
    return mapping;
  }

  classify(message: LintMessage): Issue {
    if (message.fatal || message.ruleId === null)
      return {
        path: message.path,
        line: message.line,
        rule: PARSE_ERROR,
        type: 'bug',
        severity: 'blocker',
        effortMinutes: 0,
        message: message.message,
      };
    const mapping = this.mappingOf(message.ruleId);
    return {
      path: message.path,
      line: message.line,
      rule: message.ruleId,
      type: mapping.type ?? 'code_smell',
      severity: mapping.severity ?? (message.level === 2 ? 'major' : 'minor'),
      effortMinutes: mapping.effort ?? DEFAULT_EFFORT_MINUTES,
      message: message.message,
    };
  }

  classifyAll(report: LintReport): Issue[] {
    return report.messages.map((m) => this.classify(m));
  }
}

/** npm's severities as SonarQube's: a critical advisory blocks, a high one is critical, and so on down. */
export const AUDIT_TO_SEVERITY: Record<AuditSeverity, Severity> = {
  critical: 'blocker',
  high: 'critical',
  moderate: 'major',
  low: 'minor',
  info: 'info',
};
