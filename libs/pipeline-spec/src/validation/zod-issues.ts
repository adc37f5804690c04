import { type z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from '../duration.js';
import { didYouMean } from '../nearest.js';
import { type DocPath, type Problem } from './problem.js';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** What a value is, in words: `"text"`, `3`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else return current;
  }
}

function objectKeys(schema: Schema): string[] {
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, Schema>; options?: Schema[] };
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  if (def.type === 'union' && def.options)
    return [...new Set(def.options.flatMap((option) => objectKeys(option)))];
  return [];
}

/** The schema of the value at a path, following objects, arrays, records and unions. */
function schemaAt(schema: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const def = unwrap(current)._zod.def as {
      type: string;
      shape?: Record<string, Schema>;
      element?: Schema;
      valueType?: Schema;
      options?: Schema[];
    };
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else if (def.type === 'union')
      current = def.options?.map((option) => schemaAt(option, [segment])).find(Boolean);
    else current = undefined;
  }
  return current;
}

/** Whether a schema is a duration (a string checked against DURATION_PATTERN), to hint how to write one. */
function isDuration(schema: Schema | undefined): boolean {
  if (schema === undefined) return false;
  const def = unwrap(schema)._zod.def as { type: string; checks?: { _zod: { def: { pattern?: RegExp } } }[] };
  return (
    def.type === 'string' &&
    (def.checks ?? []).some((check) => check._zod.def.pattern?.source === DURATION_PATTERN.source)
  );
}

export interface IssueScope {
  /** The data the schema checked (to say what was found). */
  data: unknown;
  schema: Schema;
  /** Where the checked data sits in the document. */
  base: DocPath;
  /** Keys allowed beside the schema's own at the top (a stage's common fields beside its settings). */
  extraKeys?: readonly string[];
}

function missing(path: DocPath): string {
  return `missing required key "${String(path[path.length - 1])}"`;
}

/** Zod issues as problems with document paths, plain messages and "did you mean" hints. */
export function issuesToProblems(issues: readonly Issue[], scope: IssueScope): Problem[] {
  return issues.flatMap((issue) => issueToProblems(issue, scope));
}

function issueToProblems(issue: Issue, scope: IssueScope): Problem[] {
  const path = [...scope.base, ...(issue.path as (string | number)[])];
  const found = valueAt(scope.data, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = [...objectKeys(schemaAt(scope.schema, issue.path) ?? scope.schema)];
      if (issue.path.length === 0) allowed.push(...(scope.extraKeys ?? []));
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key "${key}"`,
        hint: didYouMean(key, allowed, 'allowed keys') ?? `allowed keys: ${allowed.join(', ')}`,
      }));
    }
    case 'invalid_type': {
      if (found === undefined) return [{ path, message: missing(path) }];
      const message = `expected ${issue.expected}, found ${describeValue(found)}`;
      return [
        isDuration(schemaAt(scope.schema, issue.path))
          ? { path, message, hint: DURATION_HINT }
          : { path, message },
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [
        {
          path,
          message:
            found === undefined
              ? missing(path)
              : values.length === 1
                ? `${describeValue(found)} is not allowed here: expected "${values[0]}"`
                : `${describeValue(found)} is not one of ${values.join(', ')}`,
          hint: typeof found === 'string' ? didYouMean(found, values) : undefined,
        } satisfies Problem,
      ].map(dropEmptyHint);
    }
    case 'invalid_format':
      return [
        dropEmptyHint({
          path,
          message: issue.message,
          hint:
            issue.format === 'regex' && issue.pattern === String(DURATION_PATTERN)
              ? DURATION_HINT
              : undefined,
        }),
      ];
    case 'invalid_union': {
      // Report the option that got furthest: the one whose errors are not "wrong type at the top".
      const plausible = issue.errors.filter(
        (errors) => !errors.some((error) => error.path.length === 0 && error.code === 'invalid_type'),
      );
      const [only] = plausible;
      if (plausible.length === 1 && only !== undefined) {
        return issuesToProblems(only, {
          ...scope,
          data: found,
          schema: schemaAt(scope.schema, issue.path) ?? scope.schema,
          base: path,
          extraKeys: [],
        });
      }
      return [
        {
          path,
          message: found === undefined ? missing(path) : `${describeValue(found)} is not a valid value here`,
        },
      ];
    }
    case 'too_small':
      if (issue.origin === 'array' && Number(issue.minimum) === 1)
        return [{ path, message: 'must not be empty' }];
      return [
        {
          path,
          message: `too small: must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          message: `too big: must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

function dropEmptyHint(problem: Problem): Problem {
  if (problem.hint === undefined) {
    const { hint: _hint, ...rest } = problem;
    return rest;
  }
  return problem;
}
