import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { ApiError, badRequest } from '../api/errors.js';
import { clone } from '../json.js';

/** JSON patch (RFC 6902), the default patch type of the generated client-node APIs. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be a list of operations');
  try {
    return fastJsonPatch.applyPatch(clone(target), operations as Operation[], true, false).newDocument;
  } catch (error) {
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${(error as Error).message}`,
    );
  }
}
