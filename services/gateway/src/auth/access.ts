import { SetMetadata } from '@nestjs/common';
import { type Role } from '../config/gateway-config.js';

export type { Role };
export const ROLES: readonly Role[] = ['viewer', 'deployer', 'admin'];

/** viewer reads; deployer also triggers, cancels, restarts and judges; admin also manages applications and tokens. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export type AccessRule = { kind: 'public'; why: string } | { kind: 'role'; role: Role };

export const ACCESS_RULE = 'aviary:access-rule';

/** The route needs at least `role` (an API token, an OIDC token, or anonymous reads if allowed). */
export const RequireRole = (role: Role) =>
  SetMetadata(ACCESS_RULE, { kind: 'role', role } satisfies AccessRule);

/** The route is open to anyone, and says why (webhooks verify their own signatures). */
export const Public = (why: string) => SetMetadata(ACCESS_RULE, { kind: 'public', why } satisfies AccessRule);

/** Who made a request. */
export interface Principal {
  /** A user name, a token name, or `anonymous`. */
  name: string;
  role: Role;
  via: 'token' | 'oidc' | 'anonymous';
  /** The API token's id, or the OIDC subject. */
  id?: string;
}
