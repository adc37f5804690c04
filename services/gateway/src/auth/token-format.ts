import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'avt_';

/** A new API token: `avt_` and 32 random bytes (256 bits), base64url. */
export function generateToken(): string {
  return `${PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored for a token: its SHA-256 (a token is high-entropy, so a plain hash is enough),
 * and the first 16 hex digits of it as a lookup key. The full hashes are compared in constant time.
 */
export function tokenDigest(token: string): { lookup: string; hash: Buffer } {
  const hash = createHash('sha256').update(token, 'utf8').digest();
  return { lookup: hash.subarray(0, 8).toString('hex'), hash };
}

export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A JWT (three base64url parts) rather than an API token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
