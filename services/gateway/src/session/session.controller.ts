import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public, RequireRole, roleAllows, type Principal } from '../auth/access.js';
import { Caller } from '../auth/request-principal.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';

const Session = z.object({
  user: z.string(),
  role: z.enum(['viewer', 'deployer', 'admin']),
  via: z.enum(['token', 'oidc', 'anonymous']),
  /** What the caller's role lets it do, so a client shows only the buttons that will work. */
  may: z.object({ operate: z.boolean(), administer: z.boolean() }),
});

const SignInOptions = z.object({
  anonymousRead: z.boolean(),
  /** Sign-in through the OIDC issuer (authorization code with PKCE), when a client id is configured. */
  oidc: z.object({ issuer: z.string(), clientId: z.string(), scopes: z.string() }).optional(),
});

/** Who the browser is, and how it may sign in: what the web UI asks first. */
@ApiTags('session')
@ApiBearerAuth()
@Controller('api/v1')
export class SessionController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get('session')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The caller: name, role, and what the role allows (401 when it must sign in)' })
  @ApiOkResponse({ standardSchema: Session })
  session(@Caller() caller: Principal): z.infer<typeof Session> {
    return {
      user: caller.name,
      role: caller.role,
      via: caller.via,
      may: { operate: roleAllows(caller.role, 'deployer'), administer: roleAllows(caller.role, 'admin') },
    };
  }

  @Get('sign-in')
  @Public('a browser must learn how to sign in before it can')
  @ApiOperation({ summary: 'How to sign in: whether reads are open, and the OIDC issuer and client' })
  @ApiOkResponse({ standardSchema: SignInOptions })
  signIn(): z.infer<typeof SignInOptions> {
    const { oidc } = this.config;
    return {
      anonymousRead: this.config.anonymousRead,
      ...(oidc?.clientId
        ? { oidc: { issuer: oidc.issuer, clientId: oidc.clientId, scopes: oidc.scopes } }
        : {}),
    };
  }
}
