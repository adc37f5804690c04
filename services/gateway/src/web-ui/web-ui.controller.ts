import { Controller, Get, Inject, type OnModuleInit, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LOGGER } from '@aviary/runtime';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Logger } from 'pino';
import { Public } from '../auth/access.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ProblemException } from '../http/problem.js';
import { StaticSite } from './static-site.js';

/** Paths that belong to the gateway's own routes: an unknown one there is a 404, never the app's page. */
const GATEWAY_PATHS = /^\/(api|webhooks|slack|docs|health|metrics)(\/|$)/;

const WHY_PUBLIC = "the web UI's page and scripts hold no data: they ask the API, which checks every call";

/** The web UI (services/gateway/web, built into its dist folder) at `/`, with its pages' paths. */
@ApiExcludeController()
@Controller()
export class WebUiController implements OnModuleInit {
  private site: StaticSite | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.site = StaticSite.load(this.config.webDir);
    if (this.site) this.logger.info({ dir: this.config.webDir, files: this.site.size }, 'web UI served at /');
    else
      this.logger.warn(
        { dir: this.config.webDir },
        'web UI not built (no index.html): the API works, / answers 404; run `npm run build` to build it',
      );
  }

  @Get()
  @Public(WHY_PUBLIC)
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.serve('/', request, reply);
  }

  @Get('*')
  @Public(WHY_PUBLIC)
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.serve(request.url.split('?')[0] ?? '/', request, reply);
  }

  private serve(path: string, request: FastifyRequest, reply: FastifyReply): void {
    if (GATEWAY_PATHS.test(path)) throw new ProblemException(404, `no route ${request.method} ${path}`);
    if (!this.site)
      throw new ProblemException(404, 'the web UI was not built: run `npm run build`; the API is at /api/v1');
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw new ProblemException(400, `the path ${path} is not valid`);
    }
    const file = this.site.lookup(decoded);
    if (!file) throw new ProblemException(404, `no file ${path}`);
    void reply
      .header('cache-control', file.cacheControl)
      .header('etag', file.etag)
      .header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === file.etag) {
      void reply.code(304).send();
      return;
    }
    const gzip = file.gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    void reply.type(file.type);
    if (gzip) void reply.header('content-encoding', 'gzip').send(file.gzip);
    else void reply.send(file.body);
  }
}
