import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/** One invalid field of a request: its dotted path and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details: every error the gateway answers has this shape. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...extra };
}

/** Throw it from a route to answer with a problem (and, for validation, the fields at fault). */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }
}

/** `a.b[0].c` from a standard-schema or zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  let text = '';
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  }
  return text || '(body)';
}

/** A 400 listing every invalid field. */
export function validationProblem(
  issues: ReadonlyArray<{ path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>; message: string }>,
  what = 'request',
): ProblemException {
  const errors = issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  const detail = `invalid ${what}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
  return new ProblemException(400, detail, errors);
}
