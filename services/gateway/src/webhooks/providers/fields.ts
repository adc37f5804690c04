import { type z } from 'zod';
import { type FieldError, fieldPath } from '../../http/problem.js';

/** Zod issues as the fields a 400 names. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
}
