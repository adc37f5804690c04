import { maskSecrets } from '@aviary/observability';

const MASK = '****';
/** Names of variables whose values are secrets whatever the pipeline says. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH/i;
const MIN_LENGTH = 4;

/**
 * Hides secret values in log lines: the values of the variables given as secrets, the values of
 * variables named like secrets, and what `maskSecrets` catches (URLs with passwords, bearer tokens,
 * well-known token formats, values registered by the process).
 */
export class Masker {
  private readonly values: string[];

  constructor(values: Iterable<string>) {
    // Longest first, so that a secret containing another is masked whole.
    this.values = [...new Set([...values].filter((value) => value.length >= MIN_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  static forEnvironment(env: Record<string, string>, secretNames: Iterable<string> = []): Masker {
    const named = new Set(secretNames);
    return new Masker(
      Object.entries(env)
        .filter(([name]) => named.has(name) || SECRET_NAME.test(name))
        .map(([, value]) => value),
    );
  }

  mask(text: string): string {
    let masked = text;
    for (const value of this.values) if (masked.includes(value)) masked = masked.split(value).join(MASK);
    return maskSecrets(masked);
  }
}
