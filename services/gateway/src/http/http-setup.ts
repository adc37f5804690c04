import { StandardSchemaValidationPipe } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import rateLimit from '@fastify/rate-limit';
import { type FastifyRequest } from 'fastify';
import { type Logger } from 'pino';
import { type GatewayConfig } from '../config/gateway-config.js';
import { ProblemException, validationProblem } from './problem.js';
import { ProblemFilter } from './problem.filter.js';

export const WEBHOOK_PREFIX = '/webhooks/';
/** Slack's interactivity requests: signed over the raw form body, like the webhooks. */
export const SLACK_PREFIX = '/slack/';

function isWebhook(request: FastifyRequest): boolean {
  return request.url.startsWith(WEBHOOK_PREFIX) || request.url.startsWith(SLACK_PREFIX);
}

/**
 * Request bodies: webhook routes get the raw bytes (their signature is over them, and a malformed
 * body must not be answered before the signature is checked); API routes get parsed JSON, and
 * anything else is refused with 415.
 */
function registerBodyParsers(app: NestFastifyApplication, bodyLimit: number): void {
  app.useBodyParser('application/json', { bodyLimit }, (request: FastifyRequest, body: Buffer) => {
    // Nest takes a parser's result from the promise it returns (a plain return value is ignored).
    if (isWebhook(request)) return Promise.resolve(body);
    if (body.length === 0) return Promise.resolve(undefined);
    try {
      return Promise.resolve(JSON.parse(body.toString('utf8')) as unknown);
    } catch (error) {
      return Promise.reject(
        new ProblemException(400, `the body is not valid JSON: ${(error as Error).message}`, [
          { field: '(body)', message: 'malformed JSON' },
        ]),
      );
    }
  });
  app.useBodyParser(['*', 'text/plain'], { bodyLimit }, (request: FastifyRequest, body: Buffer) => {
    if (isWebhook(request)) return Promise.resolve(body);
    return Promise.reject(
      new ProblemException(
        415,
        `the content type ${request.headers['content-type'] ?? '(none)'} is not accepted: send application/json`,
      ),
    );
  });
}

/** Fastify plugins, body parsers, the problem filter and the validation pipe of the gateway. */
export async function configureHttp(
  app: NestFastifyApplication,
  config: GatewayConfig,
  logger: Logger,
): Promise<void> {
  registerBodyParsers(app, config.webhookMaxBytes);
  if (config.webhookRateLimit > 0)
    await app.register(rateLimit, {
      global: true,
      max: config.webhookRateLimit,
      timeWindow: config.webhookRateWindowMs,
      // Per source address (request.ip honours AVIARY_TRUST_PROXY), on the webhook routes only.
      keyGenerator: (request) => request.ip,
      allowList: (request) => !isWebhook(request),
      errorResponseBuilder: (_request, context) =>
        new ProblemException(
          429,
          `too many webhooks from this address: at most ${context.max} per ${context.after}; retry after ${context.after}`,
          undefined,
          { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
        ),
    });
  app.useGlobalFilters(new ProblemFilter(logger));
  app.useGlobalPipes(
    new StandardSchemaValidationPipe({ exceptionFactory: (issues) => validationProblem(issues) }),
  );
}
