import { maskSecrets } from '@aviary/observability';
import { type SendOutcome } from '../../delivery/retry-policy.js';
import { type HttpPoster } from '../http.js';
import { type RenderedMessage } from '../message.js';
import { SIGNATURE_HEADER, signWebhook } from './cloudevent-signature.js';

export interface WebhookDelivery {
  /** The delivery id: the CloudEvent id, the same on every attempt, so a receiver can drop repeats. */
  id: string;
  notification: string;
  executionId?: string;
  message: RenderedMessage;
}

/** The CloudEvent (structured mode) a webhook receives. */
export function cloudEventOf(delivery: WebhookDelivery): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: delivery.id,
    type: `dev.aviary.notification.${delivery.notification}`,
    source: '/aviary/notifier',
    ...(delivery.executionId ? { subject: delivery.executionId } : {}),
    time: delivery.message.time,
    datacontenttype: 'application/json',
    data: {
      notification: delivery.notification,
      title: delivery.message.title,
      text: delivery.message.body,
      ...delivery.message.view,
    },
  };
}

/** POSTs the CloudEvent as `application/cloudevents+json`, signed in `Aviary-Signature`. */
export async function sendWebhook(
  http: HttpPoster,
  endpoint: { url: string; secret: string },
  delivery: WebhookDelivery,
): Promise<SendOutcome> {
  // Messages never carry a secret: whatever slipped into the data is masked on the way out.
  const body = maskSecrets(JSON.stringify(cloudEventOf(delivery)));
  const answer = await http.post(endpoint.url, body, {
    'content-type': 'application/cloudevents+json; charset=utf-8',
    [SIGNATURE_HEADER]: signWebhook(endpoint.secret, body),
  });
  return answer.outcome;
}
