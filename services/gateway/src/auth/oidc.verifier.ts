import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { type OidcConfig } from '../config/gateway-config.js';
import { ProblemException } from '../http/problem.js';
import { ROLES, type Principal, type Role } from './access.js';

/** Reads `a.b.c` in a token's claims (Keycloak keeps roles at `realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The highest role any value of the claim maps to. */
export function roleFromClaim(claim: unknown, roleMap: Record<string, Role>): Role | undefined {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  let best: Role | undefined;
  for (const value of values) {
    const role = typeof value === 'string' ? roleMap[value] : undefined;
    if (role && (!best || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  return best;
}

/**
 * Verifies OIDC bearer tokens (JWTs) against the issuer's keys: signature, issuer, audience and
 * expiry by `jose`; the keys are fetched from the JWKS (discovered from the issuer unless given)
 * and refreshed when a token names an unknown key.
 */
export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(private readonly config: OidcConfig) {}

  async verify(token: string): Promise<Principal> {
    const jwks = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.config.issuer,
        ...(this.config.audience === undefined ? {} : { audience: this.config.audience }),
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout))
        throw new ProblemException(401, `the bearer token was refused: ${error.message}`, undefined, {
          'www-authenticate': 'Bearer error="invalid_token"',
        });
      throw new ProblemException(
        503,
        `the identity provider's keys could not be fetched: ${(error as Error).message}`,
      );
    }
    const claim = claimAt(payload, this.config.rolesClaim);
    const role = roleFromClaim(claim, this.config.roleMap);
    const user = claimAt(payload, this.config.userClaim);
    const name = typeof user === 'string' ? user : (payload.sub ?? 'unknown');
    if (!role)
      throw new ProblemException(
        403,
        `${name} has no Aviary role: none of the values of the "${this.config.rolesClaim}" claim is mapped to one (AVIARY_OIDC_ROLE_MAP)`,
      );
    return { name, role, via: 'oidc', id: payload.sub };
  }

  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return Promise.resolve(this.jwks);
    this.discovering ??= this.discover().then(
      (url) => (this.jwks = createRemoteJWKSet(new URL(url))),
      (error: unknown) => {
        this.discovering = undefined;
        throw new ProblemException(
          503,
          `the identity provider could not be reached: ${(error as Error).message}`,
        );
      },
    );
    return this.discovering;
  }

  private async discover(): Promise<string> {
    if (this.config.jwksUrl) return this.config.jwksUrl;
    const url = `${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const document = (await response.json()) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    return document.jwks_uri;
  }
}
