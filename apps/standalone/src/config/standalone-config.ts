import { resolve } from 'node:path';
import { z } from 'zod';

/** The standalone mode's own settings; every service's settings are read by the service itself. */
export const StandaloneEnvironment = z.object({
  /** Where PGlite, the bus journal, artifacts, workspaces and the generated secrets live. */
  AVIARY_DATA_DIR: z.string().min(1).default('.aviary'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export interface StandaloneConfig {
  dataDir: string;
  logLevel: string;
  logPretty: boolean;
  /** The environment the services are started with, under the standalone mode's defaults. */
  env: Record<string, string | undefined>;
}

/** The process's environment; the only place outside tests that reads it. */
export function processEnvironment(): Record<string, string | undefined> {
  return process.env;
}

export function loadStandaloneConfig(
  env: Record<string, string | undefined> = process.env,
  isTerminal = Boolean(process.stdout.isTTY),
  cwd = process.cwd(),
): StandaloneConfig {
  const parsed = StandaloneEnvironment.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return {
    dataDir: resolve(cwd, parsed.data.AVIARY_DATA_DIR),
    logLevel: parsed.data.LOG_LEVEL,
    logPretty: (parsed.data.LOG_FORMAT ?? (isTerminal ? 'pretty' : 'json')) === 'pretty',
    env,
  };
}
