import { registerSecret } from '@aviary/observability';
import { type GitCredential } from '../config/builder-config.js';

/** `host[:port]` of an HTTP(S), SSH or scp-like (`git@host:org/repo`) repository URL. */
export function repositoryHost(url: string): string {
  const scp = /^[^/@:]+@([^/:]+):(?!\/)/.exec(url);
  if (scp) return scp[1]!;
  try {
    return new URL(url).host || 'local';
  } catch {
    return 'local';
  }
}

/** The URL as it may be shown: without any user or password written into it. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * The environment that authenticates git to the repository's host, never its command line: an
 * `Authorization` header through GIT_CONFIG_* for HTTPS, an identity file through GIT_SSH_COMMAND
 * for SSH. Every secret is registered so that no log line shows it.
 */
export class GitCredentials {
  constructor(private readonly byHost: Record<string, GitCredential>) {
    for (const credential of Object.values(byHost))
      if ('password' in credential) registerSecret(credential.password);
  }

  environmentFor(url: string): Record<string, string> {
    const credential = this.byHost[repositoryHost(url)];
    if (!credential) return {};
    if ('sshKeyFile' in credential) {
      return {
        GIT_SSH_COMMAND: `ssh -i '${credential.sshKeyFile.replaceAll("'", "'\\''")}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new`,
      };
    }
    const basic = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
    registerSecret(basic);
    return {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    };
  }
}
