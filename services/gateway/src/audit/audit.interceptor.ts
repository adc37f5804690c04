import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { type FastifyRequest } from 'fastify';
import { type Observable, catchError, mergeMap, throwError, from } from 'rxjs';
import { MUTATING, actionOf, principalOf, targetOf } from '../auth/request-principal.js';
import { AuditService } from './audit.service.js';

/** The status Nest will answer with: the route's @HttpCode, else 201 for POST and 200 otherwise. */
function successStatus(context: ExecutionContext, method: string): number {
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
  return declared ?? (method === 'POST' ? 201 : 200);
}

/** Every mutating call that got past the guard is recorded after it ends, succeeded or failed. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = principalOf(request);
    if (!MUTATING.has(request.method) || !principal) return next.handle();
    const write = (status: number) =>
      this.audit.record({
        principal,
        action: actionOf(request),
        target: targetOf(request),
        status,
        sourceAddress: request.ip,
        userAgent: request.headers['user-agent'],
      });
    return next.handle().pipe(
      mergeMap((value: unknown) => from(write(successStatus(context, request.method)).then(() => value))),
      catchError((error: unknown) =>
        from(write(error instanceof HttpException ? error.getStatus() : 500)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
