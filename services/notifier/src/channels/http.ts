import { Agent, request } from 'undici';
import { httpOutcome, networkOutcome, type SendOutcome } from '../delivery/retry-policy.js';

export interface HttpAnswer {
  outcome: SendOutcome;
  /** The body, parsed when it is JSON. */
  body: unknown;
}

/**
 * POSTs JSON through undici, bounded by `timeoutMs`; the answer classified for retries. Retries are
 * the delivery log's (each one recorded), never the client's.
 */
export class HttpPoster {
  private readonly agent: Agent;

  constructor(private readonly timeoutMs: number) {
    this.agent = new Agent({ connect: { timeout: timeoutMs }, keepAliveTimeout: 10_000, connections: 64 });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
    try {
      const response = await request(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Aviary-Notifier',
          ...headers,
        },
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await response.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      return { outcome: httpOutcome(response.statusCode, response.headers, text), body: parsed };
    } catch (error) {
      return { outcome: networkOutcome(error), body: undefined };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
