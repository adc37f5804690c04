export type QueryErrorCode = 'no-responders' | 'timeout' | 'handler-failed' | 'invalid-reply';

/** Why `client.query` did not return a reply. A handler's own error keeps its message. */
export class QueryError extends Error {
  override readonly name = 'QueryError';

  constructor(
    readonly code: QueryErrorCode,
    /** Canonical subject of the query. */
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }

  static noResponders(subject: string): QueryError {
    return new QueryError('no-responders', subject, `no responder for ${subject}`);
  }

  static timedOut(subject: string, timeoutMs: number): QueryError {
    return new QueryError('timeout', subject, `timed out after ${timeoutMs}ms waiting for ${subject}`);
  }
}

/** Publishing or querying on a bus that is closed or not connected. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
}

/**
 * The message of whatever a handler threw. Nest turns handler errors into `{ status, message }`
 * objects before the transport sees them.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return JSON.stringify(error) ?? String(error);
}
