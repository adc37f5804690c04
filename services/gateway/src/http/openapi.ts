import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The API description at `/docs` (Swagger UI) and `/docs/json`, built from the routes' zod schemas. */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Aviary API')
    .setDescription(
      'Applications, executions, reports, live events and webhooks of Aviary. Authenticate with `Authorization: Bearer <token>` (an API token or an OIDC token). Errors are RFC 9457 problem details (application/problem+json).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
}

/** Routes served outside Nest's controllers (by the OpenAPI plugin): public by nature. */
export const DOCUMENTATION_ROUTES = ['/docs', '/docs/json', '/docs/yaml'];
