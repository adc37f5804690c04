import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DemoEnvironment = z.object({
  /** The Aviary the demo talks to; a standalone one is started when nothing answers there. */
  AVIARY_URL: z.url().default('http://localhost:8080'),
  /** An admin token; default: the one the standalone mode's first start stored in the data directory. */
  AVIARY_ADMIN_TOKEN: z.string().min(1).optional(),
  AVIARY_DATA_DIR: z.string().min(1).default('.aviary'),
  /** `1`: end when the demo ends even if it started Aviary itself (default: keep it running for the UI). */
  AVIARY_DEMO_EXIT: z.enum(['0', '1']).default('0'),
  PATH: z.string().optional(),
});

export interface DemoConfig {
  url: string;
  adminToken: string | undefined;
  dataDir: string;
  exitWhenDone: boolean;
  path: string | undefined;
  /** examples/sample-app of this checkout. */
  sampleApp: string;
  /** The environment a standalone instance the demo starts gets. */
  env: Record<string, string | undefined>;
}

/** The process's environment; the only place outside tests that reads it. */
export function demoEnvironment(): Record<string, string | undefined> {
  return process.env;
}

export function loadDemoConfig(env: Record<string, string | undefined> = process.env): DemoConfig {
  const parsed = DemoEnvironment.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const e = parsed.data;
  return {
    url: e.AVIARY_URL.replace(/\/+$/, ''),
    adminToken: e.AVIARY_ADMIN_TOKEN,
    dataDir: e.AVIARY_DATA_DIR,
    exitWhenDone: e.AVIARY_DEMO_EXIT === '1',
    path: e.PATH,
    // From apps/standalone/{src,dist}/demo/config to the repository root.
    sampleApp: fileURLToPath(new URL('../../../../../examples/sample-app', import.meta.url)),
    env,
  };
}
