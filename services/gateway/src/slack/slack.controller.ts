import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SlackInteraction } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { type FastifyRequest } from 'fastify';
import { type Logger } from 'pino';
import { LOGGER } from '@aviary/runtime';
import { Public } from '../auth/access.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ProblemException, ProblemSchema } from '../http/problem.js';
import { parseInteraction } from './slack-payload.js';
import { slackSignatureProblem } from './slack-signature.js';

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Slack's interactivity Request URL: a button pressed in a notifier message (Approve, Reject).
 * Checked against the signing secret, then handed to the notifier over the bus; Slack gets its
 * 200 within its three seconds, and the message changes when the judgment is recorded.
 */
@ApiTags('slack')
@Controller('slack')
@Public('Slack signs its requests (X-Slack-Signature), checked against the signing secret')
export class SlackController {
  constructor(
    private readonly bus: BusClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('interactions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Slack interactivity (block_actions): judgment buttons of notifier messages' })
  @ApiHeader({
    name: 'X-Slack-Signature',
    required: true,
    description: 'v0=<HMAC-SHA256 of v0:<timestamp>:<body>>',
  })
  @ApiHeader({
    name: 'X-Slack-Request-Timestamp',
    required: true,
    description: 'Unix time; at most five minutes old',
  })
  @ApiResponse({ status: 200, description: 'accepted (Slack shows nothing)' })
  @ApiResponse({ status: 401, standardSchema: ProblemSchema })
  @ApiResponse({
    status: 404,
    standardSchema: ProblemSchema,
    description: 'AVIARY_SLACK_SIGNING_SECRET is not set',
  })
  async interactions(@Req() request: FastifyRequest): Promise<string> {
    const secret = this.config.slackSigningSecret;
    if (!secret)
      throw new ProblemException(
        404,
        'Slack interactions are not configured: set AVIARY_SLACK_SIGNING_SECRET',
      );
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const problem = slackSignatureProblem(
      secret,
      {
        timestamp: header(request, 'x-slack-request-timestamp'),
        signature: header(request, 'x-slack-signature'),
      },
      body,
    );
    if (problem) {
      this.logger.warn({ sourceAddress: request.ip, problem }, 'refused a Slack interaction');
      throw new ProblemException(401, problem);
    }
    const parsed = parseInteraction(body, new Date());
    if (parsed.kind === 'invalid') throw new ProblemException(400, parsed.problem);
    if (parsed.kind === 'actions')
      for (const command of parsed.commands) await this.bus.publish(SlackInteraction, command);
    return '';
  }
}
