import { spawn } from 'node:child_process';

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * Runs the git CLI: no prompt ever (a missing credential fails at once), none of the machine's
 * global or system configuration (no stray credential helper answers for the builder), the given
 * extra environment (credentials) and an abort signal.
 */
export function runGit(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    signal?: AbortSignal;
    baseEnv?: Record<string, string | undefined>;
  } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        PATH: options.baseEnv?.['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: options.baseEnv?.['HOME'] ?? '/tmp',
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '',
        SSH_ASKPASS: '',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        LC_ALL: 'C',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code: code ?? 1 }));
  });
}
