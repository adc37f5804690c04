import { maskSecrets } from '@aviary/observability';
import { type SendOutcome } from '../../delivery/retry-policy.js';
import { escapeSlack } from '../../templates/templates.js';
import { type HttpPoster } from '../http.js';
import { type RenderedMessage } from '../message.js';

/**
 * An incoming webhook posts a new message each time and cannot edit one: one message per event
 * (a bot token gives the single message per execution, updated in place).
 */
export async function sendSlackWebhook(
  http: HttpPoster,
  url: string,
  message: RenderedMessage,
): Promise<SendOutcome> {
  const link = `<${message.view.url}|${escapeSlack(message.view.executionId)}>`;
  const text = `*${message.title}*${message.body ? `\n${message.body}` : ''}\n${link}`;
  const answer = await http.post(url, JSON.stringify({ text: maskSecrets(text), unfurl_links: false }), {});
  return answer.outcome;
}
