import { Inject, Injectable } from '@nestjs/common';
import { Trigger, WebhookReceived, type DataOf } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { LOGGER } from '@aviary/runtime';
import { type Logger } from 'pino';
import { ApplicationsService, type ApplicationWithSecret } from '../applications/applications.service.js';
import { repositoryKey } from '../applications/repository-key.js';
import { ProblemException } from '../http/problem.js';
import { header, type Headers, type TriggerDraft, type WebhookProvider } from './providers/provider.js';
import { fieldErrors } from './providers/fields.js';
import { DeliveryLog } from './delivery-log.js';
import { WebhookMetrics } from './webhook-metrics.js';

export interface WebhookRequest {
  provider: WebhookProvider;
  headers: Headers;
  body: unknown;
  sourceAddress: string;
  /** Generic webhooks name their application in the path. */
  application?: string;
}

export interface WebhookAnswer {
  status: 200 | 202;
  body: {
    status: 'accepted' | 'ignored' | 'duplicate' | 'pong';
    message: string;
    deliveryId?: string;
    applications?: string[];
    ignored?: string[];
  };
}

/** Events each provider acts on (after verifying the signature); others are answered "ignored". */
const HANDLED: Record<WebhookProvider['name'], string[]> = {
  github: ['push', 'ping'],
  gitlab: ['Push Hook', 'Tag Push Hook'],
  bitbucket: ['repo:push', 'diagnostics:ping'],
  generic: ['push'],
};

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const WEBHOOK_METRICS = Symbol('WEBHOOK_METRICS');

/**
 * The path every webhook takes: authenticate, find the application, drop redeliveries, publish
 * `WebhookReceived` and wait for JetStream's acknowledgement, then remember the delivery. Nothing
 * is answered 202 before it is stored on the bus; nothing is remembered that was not.
 */
@Injectable()
export class WebhookService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly bus: BusClient,
    private readonly deliveries: DeliveryLog,
    @Inject(WEBHOOK_METRICS) private readonly metrics: WebhookMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receive(request: WebhookRequest): Promise<WebhookAnswer> {
    const { provider } = request;
    try {
      return await this.handle(request);
    } catch (error) {
      if (error instanceof ProblemException) {
        const status = error.getStatus();
        if (status === 404) this.metrics.outcome(provider.name, 'not_found');
        else if (status === 400) this.metrics.outcome(provider.name, 'invalid');
        else if (status === 503) this.metrics.outcome(provider.name, 'unavailable');
      } else this.metrics.outcome(provider.name, 'unavailable');
      throw error;
    }
  }

  private async handle(request: WebhookRequest): Promise<WebhookAnswer> {
    const { provider, headers, sourceAddress } = request;
    const signature = header(headers, provider.signatureHeader);
    if (!signature)
      throw this.unauthorized(request, 'missing', `the ${provider.signatureHeader} header is missing`);
    const deliveryId = header(headers, provider.deliveryHeader);
    if (!deliveryId || deliveryId.length > 150)
      throw new ProblemException(
        400,
        `the ${provider.deliveryHeader} header is missing or longer than 150 characters`,
        [{ field: provider.deliveryHeader, message: 'required, at most 150 characters' }],
      );
    const event = provider.event(headers);
    if (!event)
      throw new ProblemException(400, 'the event header is missing', [
        { field: 'event header', message: 'required' },
      ]);
    if (!Buffer.isBuffer(request.body) || request.body.length === 0)
      throw new ProblemException(400, 'the body must be JSON (Content-Type: application/json)', [
        { field: '(body)', message: 'JSON required' },
      ]);
    const raw = request.body;
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new ProblemException(400, `the body is not valid JSON: ${errorMessage(error)}`, [
        { field: '(body)', message: 'malformed JSON' },
      ]);
    }

    const applications = await this.candidates(request, event, payload);
    if ('answer' in applications) return applications.answer;
    const verified: ApplicationWithSecret[] = [];
    for (const application of applications.list)
      if (await provider.verify(application.secret, raw, headers)) verified.push(application);
    if (verified.length === 0)
      throw this.unauthorized(request, 'mismatch', `the ${provider.signatureHeader} does not match`);

    if (await this.seen(provider.name, deliveryId)) {
      this.metrics.outcome(provider.name, 'duplicate');
      return { status: 200, body: { status: 'duplicate', message: 'duplicate', deliveryId } };
    }

    const interpretation = provider.interpret(event, payload);
    switch (interpretation.kind) {
      case 'invalid':
        throw new ProblemException(
          400,
          `the ${event} payload is missing or has invalid fields: ${interpretation.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          interpretation.errors,
        );
      case 'ping':
        this.metrics.outcome(provider.name, 'ping');
        return { status: 200, body: { status: 'pong', message: 'pong', deliveryId } };
      case 'ignore':
        this.metrics.outcome(provider.name, 'ignored');
        return { status: 202, body: { status: 'ignored', message: interpretation.reason, deliveryId } };
      case 'push':
        break;
    }

    const ignored = [...interpretation.ignored];
    const messages: Array<{ id: string; data: DataOf<typeof WebhookReceived> }> = [];
    const receivedAt = new Date().toISOString();
    for (const application of verified)
      interpretation.triggers.forEach((draft, index) => {
        if (
          request.application !== undefined &&
          repositoryKey(draft.repository) !== repositoryKey(application.repositoryUrl)
        )
          throw new ProblemException(
            404,
            `repository ${draft.repository} not found: it is not the repository of ${application.name} (${application.repositoryUrl})`,
          );
        if (draft.kind === 'tag' && !application.buildTags) {
          ignored.push(
            `ignored: tag push (${draft.ref}); application ${application.name} does not build tags`,
          );
          return;
        }
        messages.push({
          id: `webhook:${provider.name}:${deliveryId}:${application.name}:${index}`,
          data: { deliveryId, application: application.name, trigger: this.trigger(draft), receivedAt },
        });
      });
    if (messages.length === 0) {
      this.metrics.outcome(provider.name, 'ignored');
      return { status: 202, body: { status: 'ignored', message: ignored.join('; '), deliveryId } };
    }

    try {
      await Promise.all(messages.map(({ id, data }) => this.bus.publish(WebhookReceived, data, { id })));
    } catch (error) {
      this.logger.warn(
        { provider: provider.name, deliveryId, error: errorMessage(error) },
        'webhook not published; answered 503',
      );
      throw new ProblemException(
        503,
        `the webhook could not be stored on the message bus (${errorMessage(error)}); it was not accepted: redeliver it`,
        undefined,
        { 'retry-after': '10' },
      );
    }
    const names = [...new Set(messages.map((m) => m.data.application))];
    await this.remember(provider.name, deliveryId, names, sourceAddress);
    this.metrics.outcome(provider.name, 'accepted');
    this.logger.info({ provider: provider.name, deliveryId, applications: names, event }, 'webhook accepted');
    return {
      status: 202,
      body: {
        status: 'accepted',
        message: `accepted for ${names.join(', ')}`,
        deliveryId,
        applications: names,
        ...(ignored.length ? { ignored } : {}),
      },
    };
  }

  /** The applications whose secret may have signed this request, or the answer when there are none to try. */
  private async candidates(
    request: WebhookRequest,
    event: string,
    payload: unknown,
  ): Promise<{ list: ApplicationWithSecret[] } | { answer: WebhookAnswer }> {
    const { provider } = request;
    if (request.application !== undefined) {
      const application = await this.applications.byName(request.application);
      if (!application) throw new ProblemException(404, `no application is named "${request.application}"`);
      return { list: [application] };
    }
    const handled = HANDLED[provider.name].includes(event);
    const repository = provider.repository(payload);
    if (!('keys' in repository)) {
      // Nothing would be done for such an event anyway; without a repository no secret can check it.
      if (!handled) {
        this.metrics.outcome(provider.name, 'ignored');
        return { answer: { status: 202, body: { status: 'ignored', message: `ignored: ${event}` } } };
      }
      throw new ProblemException(
        400,
        `the ${event} payload names no repository: ${repository.field}: ${repository.message}`,
        [repository],
      );
    }
    const list = await this.applications.byRepository(provider.name, repository.keys);
    if (list.length === 0)
      throw new ProblemException(
        404,
        `repository ${repository.label} not found: no ${provider.name} application has it`,
      );
    return { list };
  }

  private trigger(draft: TriggerDraft): Trigger {
    const parsed = Trigger.safeParse(draft);
    if (!parsed.success)
      throw new ProblemException(
        400,
        `the webhook does not describe a commit Aviary can build: ${fieldErrors(parsed.error)
          .map((e) => `${e.field}: ${e.message}`)
          .join('; ')}`,
        fieldErrors(parsed.error),
      );
    return parsed.data;
  }

  private unauthorized(
    request: WebhookRequest,
    reason: 'missing' | 'mismatch',
    detail: string,
  ): ProblemException {
    this.metrics.signatureFailed(request.provider.name, reason);
    this.logger.warn(
      { provider: request.provider.name, sourceAddress: request.sourceAddress, reason },
      'webhook refused: signature missing or wrong',
    );
    return new ProblemException(401, detail);
  }

  private seen(provider: string, deliveryId: string): Promise<boolean> {
    return this.deliveries.seen(provider, deliveryId);
  }

  private async remember(
    provider: string,
    deliveryId: string,
    applications: string[],
    sourceAddress: string,
  ): Promise<void> {
    try {
      await this.deliveries.remember({ provider, deliveryId, applications, sourceAddress });
    } catch (error) {
      // Published already: a redelivery is still dropped by JetStream's dedupe window and by the
      // orchestrator's idempotent handling; answering 503 would only make the provider retry.
      this.logger.error(
        { provider, deliveryId, err: error },
        'webhook published but its delivery not recorded',
      );
    }
  }
}
