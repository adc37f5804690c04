/**
 * Masks secrets in free text (log lines, error messages) before it leaves the process. Structured
 * fields are redacted by key in the logger; this catches what ends up inside strings: credentials in
 * URLs, bearer tokens, well-known token formats and any value registered as secret at run time.
 */
const MASK = '****';

const PATTERNS: RegExp[] = [
  /(?<=[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]+(?=@)/gi,
  /(?<=[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]{16,}(?=@)/gi,
  /(?<=\b(?:bearer|token|basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /(?<=(?:password|passwd|secret|token|api[_-]?key)["']?\s*[=:]\s*["']?)[^\s"'&,;]{4,}/gi,
];

const registered = new Set<string>();

/** Values that must never be printed (webhook secrets, tokens read from configuration). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registered.add(value);
}

export function maskSecrets(text: string): string {
  let masked = text;
  for (const value of registered) masked = masked.split(value).join(MASK);
  for (const pattern of PATTERNS) masked = masked.replace(pattern, MASK);
  return masked;
}

/** Keys whose values are always redacted in structured logs, at any depth the logger checks. */
export const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'apiKey',
  'privateKey',
  'webhookSecret',
  'clientSecret',
];
