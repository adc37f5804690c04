import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where the CLI finds a gateway and a token. */
export interface Credentials {
  url: string;
  token: string;
}

export interface CredentialsSource {
  /** The file `aviary login` writes. */
  file: string;
  /** AVIARY_URL and AVIARY_TOKEN, which win over the file (CI jobs set them). */
  env: { url?: string; token?: string };
}

/** `$AVIARY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/aviary`, else `~/.config/aviary`: `credentials.json`. */
export function credentialsSource(env: Record<string, string | undefined> = process.env): CredentialsSource {
  const directory =
    env['AVIARY_CONFIG_DIR'] ?? join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'aviary');
  return {
    file: join(directory, 'credentials.json'),
    env: {
      ...(env['AVIARY_URL'] ? { url: env['AVIARY_URL'] } : {}),
      ...(env['AVIARY_TOKEN'] ? { token: env['AVIARY_TOKEN'] } : {}),
    },
  };
}

export async function readCredentials(source: CredentialsSource): Promise<Credentials | undefined> {
  let stored: Partial<Credentials>;
  try {
    stored = JSON.parse(await readFile(source.file, 'utf8')) as Partial<Credentials>;
  } catch {
    stored = {};
  }
  const url = source.env.url ?? stored.url;
  const token = source.env.token ?? stored.token;
  return url && token ? { url, token } : undefined;
}

/** Writes the file readable by its owner only: it holds a token. */
export async function writeCredentials(source: CredentialsSource, credentials: Credentials): Promise<void> {
  await mkdir(dirname(source.file), { recursive: true, mode: 0o700 });
  await writeFile(source.file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(source.file, 0o600);
}
