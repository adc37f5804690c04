import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { type Principal } from './access.js';

const principals = new WeakMap<object, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request.raw, principal);
}

export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request.raw);
}

/** The caller the guard authenticated (a route with a role rule always has one). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
  if (!principal) throw new Error('no principal: the route has no role rule');
  return principal;
});

/** `POST /api/v1/applications/:name`: the method and the route pattern, for audit records. */
export function actionOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
}

/** The route parameters, as `name=orders`, naming the resource a call acted on. */
export function targetOf(request: FastifyRequest): string | null {
  const params = Object.entries((request.params ?? {}) as Record<string, unknown>);
  return params.length ? params.map(([key, value]) => `${key}=${String(value)}`).join(',') : null;
}

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
