import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { BusUnavailableError, QueryError } from '@aviary/messaging';
import { DatabaseUnavailableError } from '@aviary/persistence';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, ProblemException, problem, type Problem } from './problem.js';

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Maps what a route threw to a problem; unknown errors become a 500 that says nothing inside. */
export function toProblem(
  exception: unknown,
  logger: Logger,
): { problem: Problem; headers: Record<string, string> } {
  if (exception instanceof ProblemException)
    return {
      problem: problem(
        exception.getStatus(),
        exception.message,
        exception.errors ? { errors: exception.errors } : {},
      ),
      headers: exception.headers,
    };
  if (exception instanceof HttpException)
    return { problem: problem(exception.getStatus(), messageOf(exception)), headers: {} };
  if (exception instanceof DatabaseUnavailableError)
    return {
      problem: problem(503, 'the gateway database is not available; try again shortly'),
      headers: { 'retry-after': '5' },
    };
  if (exception instanceof BusUnavailableError)
    return {
      problem: problem(503, `the message bus is not available: ${exception.message}`),
      headers: { 'retry-after': '5' },
    };
  if (exception instanceof QueryError && (exception.code === 'no-responders' || exception.code === 'timeout'))
    return { problem: problem(503, exception.message), headers: { 'retry-after': '5' } };
  const fastifyStatus = (exception as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const code = (exception as { code?: string }).code;
    const detail =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'the body is larger than the gateway accepts (AVIARY_WEBHOOK_MAX_BYTES)'
        : (exception as Error).message;
    return { problem: problem(fastifyStatus, detail), headers: {} };
  }
  logger.error({ err: exception }, 'unexpected error while handling a request');
  return { problem: problem(500, 'unexpected error; it is logged on the gateway'), headers: {} };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  value: { problem: Problem; headers: Record<string, string> },
): void {
  if (reply.sent || reply.raw.headersSent) return;
  void reply
    .status(value.problem.status)
    .headers(value.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...value.problem, instance: request.url.split('?')[0] });
}

/** Every HTTP error of the gateway's routes leaves as `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      http.getResponse<FastifyReply>(),
      http.getRequest<FastifyRequest>(),
      toProblem(exception, this.logger),
    );
  }
}
