import { type Credentials } from '../config/credentials.js';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the gateway's API; a problem answer becomes a GatewayError carrying its `detail`. */
export async function callGateway(
  credentials: Credentials,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, credentials.url), {
      method,
      headers: {
        authorization: `Bearer ${credentials.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new GatewayError(0, `cannot reach the gateway at ${credentials.url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = parsed as
      { detail?: string; errors?: Array<{ field: string; message: string }> } | undefined;
    const fields = problem?.errors?.map((e) => `\n  ${e.field}: ${e.message}`).join('') ?? '';
    throw new GatewayError(
      response.status,
      `${response.status}: ${problem?.detail ?? (text || response.statusText)}${fields}`,
    );
  }
  return parsed;
}
