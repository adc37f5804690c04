import { type SendOutcome } from '../../delivery/retry-policy.js';
import { type HttpPoster } from '../http.js';

/** Slack Web API errors worth retrying; anything else (channel_not_found, invalid_auth...) is final. */
const RETRYABLE = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export interface SlackReply {
  outcome: SendOutcome;
  channel?: string;
  ts?: string;
  /** Slack's error code, when it refused. */
  slackError?: string;
}

/** The few Web API methods the notifier calls (chat.postMessage, chat.update, chat.postEphemeral). */
export class SlackApi {
  constructor(
    private readonly http: HttpPoster,
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  postMessage(channel: string, message: { text: string; blocks?: unknown[] }): Promise<SlackReply> {
    return this.call('chat.postMessage', { channel, ...message, unfurl_links: false });
  }

  update(channel: string, ts: string, message: { text: string; blocks?: unknown[] }): Promise<SlackReply> {
    return this.call('chat.update', { channel, ts, ...message });
  }

  postEphemeral(channel: string, user: string, text: string): Promise<SlackReply> {
    return this.call('chat.postEphemeral', { channel, user, text });
  }

  private async call(method: string, body: Record<string, unknown>): Promise<SlackReply> {
    const answer = await this.http.post(`${this.apiUrl}/${method}`, JSON.stringify(body), {
      authorization: `Bearer ${this.token}`,
    });
    if (!answer.outcome.ok) return { outcome: answer.outcome };
    const reply = (answer.body ?? {}) as { ok?: boolean; error?: string; channel?: string; ts?: string };
    if (reply.ok === true)
      return {
        outcome: answer.outcome,
        ...(reply.channel ? { channel: reply.channel } : {}),
        ...(reply.ts ? { ts: reply.ts } : {}),
      };
    const slackError = reply.error ?? 'unknown_error';
    return {
      outcome: {
        ok: false,
        retryable: RETRYABLE.has(slackError),
        ...(answer.outcome.statusCode === undefined ? {} : { statusCode: answer.outcome.statusCode }),
        error: `Slack ${method}: ${slackError}`,
      },
      slackError,
    };
  }
}
