import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type RunningService, type ServiceName } from '@aviary/runtime';

const ROUTES = ['health', 'health/live', 'metrics'] as const;

/**
 * Only the gateway has a port in standalone mode; the other services' `/health`, `/health/live` and
 * `/metrics` are served under it, at `/services/<name>/...`, by their own handlers (an in-process
 * request to each service's router, no socket), and `/services` lists every service's readiness.
 * Public, like the gateway's own `/health` and `/metrics`.
 */
export function registerServiceRoutes(
  app: NestFastifyApplication,
  services: () => ReadonlyMap<ServiceName, RunningService>,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/services', async (_request, reply) => {
    const entries = await Promise.all(
      [...services()].map(async ([name, service]) => {
        const health = await service.inject('/health');
        return [name, { ready: health.status === 200, health: JSON.parse(health.body) as unknown }] as const;
      }),
    );
    const all = entries.every(([, state]) => state.ready);
    return reply.code(all ? 200 : 503).send({ ready: all, services: Object.fromEntries(entries) });
  });
  for (const route of ROUTES)
    fastify.get<{ Params: { name: string } }>(`/services/:name/${route}`, async (request, reply) => {
      const service = services().get(request.params.name as ServiceName);
      if (!service)
        return reply
          .code(404)
          .type('application/problem+json')
          .send({ title: 'Not Found', status: 404, detail: `no service ${request.params.name}` });
      const answer = await service.inject(`/${route}`);
      if (answer.contentType) void reply.type(answer.contentType);
      return reply.code(answer.status).send(answer.body);
    });
}
