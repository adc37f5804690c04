import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Database } from '@aviary/persistence';
import { LOGGER } from '@aviary/runtime';
import { type Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { TokensService } from './tokens.service.js';

/** Where a generated admin token is printed: standard output, outside the log stream. */
export const ADMIN_TOKEN_OUTPUT = Symbol('ADMIN_TOKEN_OUTPUT');
export interface TextOutput {
  write(text: string): unknown;
}

export function adminTokenBanner(token: string): string {
  const rule = '='.repeat(72);
  return [
    rule,
    'Aviary gateway, first start: no API token existed, so an admin token was generated.',
    '',
    `    ${token}`,
    '',
    'It is printed this once and stored only as a hash. Keep it in your secret store, log in with',
    '`npx aviary login <gateway url> --token <token>`, and create personal tokens with',
    'POST /api/v1/tokens. To choose it yourself instead, set AVIARY_ADMIN_TOKEN before the first start.',
    rule,
    '',
  ].join('\n');
}

/**
 * On the first start (empty token table, checked under a lock so one replica does it), creates the
 * admin token: AVIARY_ADMIN_TOKEN if set, else a generated one printed once on standard output as
 * a plain banner, not as a log line (log pipelines keep and ship logs; this must not be kept).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly tokens: TokensService,
    private readonly database: Database,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ADMIN_TOKEN_OUTPUT) private readonly output: TextOutput,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.database.ready();
        const created = await this.tokens.bootstrapAdmin(this.config.adminToken);
        if (created?.generated) {
          this.output.write(adminTokenBanner(created.token));
          this.logger.warn(
            'first start: an admin token was generated and printed once on standard output; it will not be shown again',
          );
        } else if (created) this.logger.info('first start: the admin token is AVIARY_ADMIN_TOKEN');
        return;
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.logger.warn({ err: error }, 'could not check for the first admin token; retrying');
        await sleep(2000, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
  }
}
