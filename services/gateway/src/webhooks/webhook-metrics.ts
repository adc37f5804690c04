import { metricOnce } from '@aviary/observability';
import { Counter, type Registry } from 'prom-client';

export type WebhookOutcome =
  'accepted' | 'ignored' | 'duplicate' | 'ping' | 'unauthorized' | 'not_found' | 'invalid' | 'unavailable';

export class WebhookMetrics {
  private readonly requests: Counter<'provider' | 'outcome'>;
  private readonly signatureFailures: Counter<'provider' | 'reason'>;

  constructor(registry: Registry) {
    this.requests = metricOnce(
      registry,
      'aviary_gateway_webhooks_total',
      () =>
        new Counter({
          name: 'aviary_gateway_webhooks_total',
          help: 'Webhook requests by provider and outcome',
          labelNames: ['provider', 'outcome'],
          registers: [registry],
        }),
    );
    this.signatureFailures = metricOnce(
      registry,
      'aviary_gateway_webhook_signature_failures_total',
      () =>
        new Counter({
          name: 'aviary_gateway_webhook_signature_failures_total',
          help: 'Webhooks refused with 401: signature (or token) missing or wrong',
          labelNames: ['provider', 'reason'],
          registers: [registry],
        }),
    );
  }

  outcome(provider: string, outcome: WebhookOutcome): void {
    this.requests.inc({ provider, outcome });
  }

  signatureFailed(provider: string, reason: 'missing' | 'mismatch'): void {
    this.signatureFailures.inc({ provider, reason });
    this.requests.inc({ provider, outcome: 'unauthorized' });
  }
}
