import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/access.js';
import { ProblemSchema } from '../http/problem.js';
import { bitbucket } from './providers/bitbucket.js';
import { GenericWebhookBody, generic } from './providers/generic.js';
import { github } from './providers/github.js';
import { gitlab } from './providers/gitlab.js';
import { type WebhookProvider } from './providers/provider.js';
import { WebhookService } from './webhook.service.js';

const WHY = 'webhooks are authenticated by their signature, checked against the application secret';

const Answer = z.object({
  status: z.enum(['accepted', 'ignored', 'duplicate', 'pong']),
  message: z.string(),
  deliveryId: z.string().optional(),
  applications: z.array(z.string()).optional(),
  ignored: z.array(z.string()).optional(),
});

const responses = [
  ApiResponse({
    status: 202,
    standardSchema: Answer,
    description: 'stored on the bus (accepted), or ignored with the reason',
  }),
  ApiResponse({
    status: 200,
    standardSchema: Answer,
    description: 'a redelivery ("duplicate"), or a ping ("pong")',
  }),
  ...[400, 401, 404, 413, 429, 503].map((status) => ApiResponse({ status, standardSchema: ProblemSchema })),
];

function applyAll(...decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorator of decorators) decorator(target, key, descriptor);
  };
}

@ApiTags('webhooks')
@Controller('webhooks')
@Public(WHY)
export class WebhooksController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post('github')
  @ApiOperation({ summary: 'GitHub push and ping (X-Hub-Signature-256, X-GitHub-Event, X-GitHub-Delivery)' })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true })
  @ApiHeader({ name: 'X-GitHub-Event', required: true })
  @ApiHeader({ name: 'X-GitHub-Delivery', required: true })
  @applyAll(...responses)
  github(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.receive(github, request, reply);
  }

  @Post('gitlab')
  @ApiOperation({ summary: 'GitLab push and tag push (X-Gitlab-Token, X-Gitlab-Event, X-Gitlab-Event-UUID)' })
  @ApiHeader({ name: 'X-Gitlab-Token', required: true })
  @ApiHeader({ name: 'X-Gitlab-Event', required: true })
  @ApiHeader({ name: 'X-Gitlab-Event-UUID', required: true })
  @applyAll(...responses)
  gitlab(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.receive(gitlab, request, reply);
  }

  @Post('bitbucket')
  @ApiOperation({ summary: 'Bitbucket Cloud repo:push (X-Hub-Signature, X-Event-Key, X-Request-UUID)' })
  @ApiHeader({ name: 'X-Hub-Signature', required: true, description: 'sha256=<HMAC-SHA256 of the body>' })
  @ApiHeader({ name: 'X-Event-Key', required: true })
  @ApiHeader({ name: 'X-Request-UUID', required: true })
  @applyAll(...responses)
  bitbucket(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.receive(bitbucket, request, reply);
  }

  @Post('generic/:application')
  @ApiOperation({ summary: 'Any other source: a signed JSON body naming repo, ref and sha' })
  @ApiHeader({ name: 'X-Aviary-Signature', required: true, description: 'sha256=<HMAC-SHA256 of the body>' })
  @ApiHeader({
    name: 'X-Request-UUID',
    required: true,
    description: 'names the delivery: a repeat is a duplicate',
  })
  @ApiBody({ schema: z.toJSONSchema(GenericWebhookBody, { target: 'openapi-3.0' }) as never })
  @applyAll(...responses)
  generic(
    @Param('application') application: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(generic, request, reply, application);
  }

  private async receive(
    provider: WebhookProvider,
    request: FastifyRequest,
    reply: FastifyReply,
    application?: string,
  ) {
    const answer = await this.webhooks.receive({
      provider,
      headers: request.headers,
      body: request.body,
      sourceAddress: request.ip,
      ...(application === undefined ? {} : { application }),
    });
    void reply.status(answer.status);
    return answer.body;
  }
}
