import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ProblemException } from '../http/problem.js';
import { ACCESS_RULE, roleAllows, type AccessRule, type Principal } from './access.js';
import { OidcVerifier } from './oidc.verifier.js';
import { MUTATING, actionOf, setPrincipal, targetOf } from './request-principal.js';
import { looksLikeJwt } from './token-format.js';
import { TokensService } from './tokens.service.js';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="aviary"' };

export function accessRuleOf(
  reflector: Reflector,
  handler: object,
  controller: object,
): AccessRule | undefined {
  return reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
    handler as never,
    controller as never,
  ]);
}

/**
 * On every route: public routes pass; role routes need a principal with at least that role, from an
 * API token or an OIDC token (`Authorization: Bearer ...`), or anonymous reads when the configuration
 * opens them; a route with no rule is refused (closed by default). Refused mutating calls are audited.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly oidc: OidcVerifier | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.oidc = config.oidc ? new OidcVerifier(config.oidc) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = accessRuleOf(this.reflector, context.getHandler(), context.getClass());
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!rule) throw new ProblemException(403, 'this route has no access rule, so it is closed');
    if (rule.kind === 'public') return true;
    let principal: Principal | undefined;
    try {
      principal = await this.authenticate(request, rule);
      if (!roleAllows(principal.role, rule.role))
        throw new ProblemException(
          403,
          `${principal.name} has the role ${principal.role}; this needs ${rule.role}`,
        );
    } catch (error) {
      if (MUTATING.has(request.method) && error instanceof ProblemException && error.getStatus() < 500)
        await this.audit.record({
          principal,
          action: actionOf(request),
          target: targetOf(request),
          status: error.getStatus(),
          sourceAddress: request.ip,
          userAgent: request.headers['user-agent'],
        });
      throw error;
    }
    setPrincipal(request, principal);
    return true;
  }

  private async authenticate(
    request: FastifyRequest,
    rule: AccessRule & { kind: 'role' },
  ): Promise<Principal> {
    const header = request.headers.authorization;
    if (header === undefined) {
      if (rule.role === 'viewer' && this.config.anonymousRead && !MUTATING.has(request.method))
        return { name: 'anonymous', role: 'viewer', via: 'anonymous' };
      throw new ProblemException(
        401,
        'authentication required: send Authorization: Bearer <token>',
        undefined,
        CHALLENGE,
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ProblemException(
        401,
        'the Authorization header must be "Bearer <token>"',
        undefined,
        CHALLENGE,
      );
    const token = match[1]!;
    if (looksLikeJwt(token)) {
      if (!this.oidc)
        throw new ProblemException(
          401,
          'OIDC tokens are not accepted here: no issuer is configured',
          undefined,
          CHALLENGE,
        );
      return this.oidc.verify(token);
    }
    const principal = await this.tokens.authenticate(token);
    if (!principal)
      throw new ProblemException(401, 'the token is unknown, revoked or expired', undefined, CHALLENGE);
    return principal;
  }
}
