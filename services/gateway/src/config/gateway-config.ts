import { registerSecret } from '@aviary/observability';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const Flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));
const PositiveInt = z.coerce.number().int().min(0);

/** `name=role` pairs, comma-separated: which value of the OIDC roles claim gives which role. */
const RoleMap = z.string().transform((text, ctx) => {
  const map: Record<string, 'viewer' | 'deployer' | 'admin'> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [value, role] = pair.split('=').map((s) => s.trim());
    if (!value || (role !== 'viewer' && role !== 'deployer' && role !== 'admin')) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not <claim value>=viewer|deployer|admin` });
      return z.NEVER;
    }
    map[value] = role;
  }
  return map;
});

/** The gateway's own settings (beyond the ones every service reads); the README lists them. */
export const GatewayEnvironment = z.object({
  AVIARY_ENV: z.enum(['production', 'development', 'test']).default('production'),
  AVIARY_SECRET_KEY: z.string().optional(),
  AVIARY_ADMIN_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  AVIARY_WEBHOOK_MAX_BYTES: PositiveInt.min(1024).default(1024 * 1024),
  AVIARY_WEBHOOK_RATE_LIMIT: PositiveInt.default(600),
  AVIARY_WEBHOOK_RATE_WINDOW_MS: PositiveInt.min(1).default(60_000),
  AVIARY_TRUST_PROXY: z.string().optional(),
  AVIARY_ANONYMOUS_READ: Flag.default(false),
  AVIARY_QUERY_TIMEOUT_MS: PositiveInt.min(1).default(5000),
  AVIARY_OIDC_ISSUER: z.url().optional(),
  AVIARY_OIDC_AUDIENCE: z.string().min(1).optional(),
  AVIARY_OIDC_JWKS_URL: z.url().optional(),
  AVIARY_OIDC_ROLES_CLAIM: z.string().min(1).default('groups'),
  AVIARY_OIDC_USER_CLAIM: z.string().min(1).default('email'),
  AVIARY_OIDC_ROLE_MAP: RoleMap.optional(),
  AVIARY_OIDC_CLIENT_ID: z.string().min(1).optional(),
  AVIARY_OIDC_SCOPES: z.string().min(1).default('openid profile email'),
  AVIARY_WEB_DIR: z.string().min(1).optional(),
  AVIARY_SLACK_SIGNING_SECRET: z.string().min(8).optional(),
});

export type Role = 'viewer' | 'deployer' | 'admin';

export interface OidcConfig {
  issuer: string;
  audience: string | undefined;
  /** Discovered from the issuer's `/.well-known/openid-configuration` when not given. */
  jwksUrl: string | undefined;
  rolesClaim: string;
  userClaim: string;
  roleMap: Record<string, Role>;
  /** The web UI's public client at the issuer (sign-in with PKCE); without it the UI asks for a token. */
  clientId: string | undefined;
  scopes: string;
}

export interface GatewayConfig {
  mode: 'production' | 'development' | 'test';
  /** 32 bytes for AES-256-GCM. */
  secretKey: Buffer;
  /** True when the key is the built-in development key (development and test modes only). */
  secretKeyIsDevDefault: boolean;
  adminToken: string | undefined;
  webhookMaxBytes: number;
  /** Requests per window per source address on the webhook routes; 0 turns the limit off. */
  webhookRateLimit: number;
  webhookRateWindowMs: number;
  trustProxy: boolean | string[];
  anonymousRead: boolean;
  queryTimeoutMs: number;
  oidc: OidcConfig | undefined;
  /** The built web UI (index.html and assets), served at `/`. */
  webDir: string;
  /** The Slack app's signing secret: `/slack/interactions` is off without it. */
  slackSigningSecret: string | undefined;
}

export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
}

/** `services/gateway/web/dist`, from this file in `src/config` or `dist/config`. */
const BUILT_WEB_UI = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** A fixed, public key: it only makes development and tests start without configuration. */
const DEV_SECRET_KEY = createHash('sha256').update('aviary development key: not a secret').digest();

function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? decoded : undefined;
}

function parseTrustProxy(value: string | undefined): boolean | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const parsed = GatewayEnvironment.safeParse(env);
  if (!parsed.success)
    throw new GatewayConfigError(
      `invalid configuration for gateway: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const e = parsed.data;
  let secretKey: Buffer;
  let secretKeyIsDevDefault = false;
  if (e.AVIARY_SECRET_KEY !== undefined) {
    const key = parseSecretKey(e.AVIARY_SECRET_KEY);
    if (!key)
      throw new GatewayConfigError(
        'invalid configuration for gateway: AVIARY_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (`openssl rand -base64 32`)',
      );
    secretKey = key;
  } else if (e.AVIARY_ENV === 'production') {
    throw new GatewayConfigError(
      'invalid configuration for gateway: AVIARY_SECRET_KEY is required (32 bytes, `openssl rand -base64 32`); it encrypts webhook secrets at rest. For development only, set AVIARY_ENV=development to use a built-in key.',
    );
  } else {
    secretKey = DEV_SECRET_KEY;
    secretKeyIsDevDefault = true;
  }
  if (e.AVIARY_OIDC_ISSUER === undefined && (e.AVIARY_OIDC_AUDIENCE ?? e.AVIARY_OIDC_JWKS_URL) !== undefined)
    throw new GatewayConfigError(
      'invalid configuration for gateway: AVIARY_OIDC_AUDIENCE and AVIARY_OIDC_JWKS_URL need AVIARY_OIDC_ISSUER',
    );
  registerSecret(e.AVIARY_SLACK_SIGNING_SECRET);
  return {
    mode: e.AVIARY_ENV,
    secretKey,
    secretKeyIsDevDefault,
    adminToken: e.AVIARY_ADMIN_TOKEN,
    webhookMaxBytes: e.AVIARY_WEBHOOK_MAX_BYTES,
    webhookRateLimit: e.AVIARY_WEBHOOK_RATE_LIMIT,
    webhookRateWindowMs: e.AVIARY_WEBHOOK_RATE_WINDOW_MS,
    trustProxy: parseTrustProxy(e.AVIARY_TRUST_PROXY),
    anonymousRead: e.AVIARY_ANONYMOUS_READ,
    queryTimeoutMs: e.AVIARY_QUERY_TIMEOUT_MS,
    slackSigningSecret: e.AVIARY_SLACK_SIGNING_SECRET,
    webDir: e.AVIARY_WEB_DIR ?? BUILT_WEB_UI,
    oidc:
      e.AVIARY_OIDC_ISSUER === undefined
        ? undefined
        : {
            issuer: e.AVIARY_OIDC_ISSUER,
            audience: e.AVIARY_OIDC_AUDIENCE,
            jwksUrl: e.AVIARY_OIDC_JWKS_URL,
            rolesClaim: e.AVIARY_OIDC_ROLES_CLAIM,
            userClaim: e.AVIARY_OIDC_USER_CLAIM,
            roleMap: e.AVIARY_OIDC_ROLE_MAP ?? {},
            clientId: e.AVIARY_OIDC_CLIENT_ID,
            scopes: e.AVIARY_OIDC_SCOPES,
          },
  };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
