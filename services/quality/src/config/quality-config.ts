import { z } from 'zod';

const Millis = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const QualityEnvironment = z.object({
  /** A folder of gate files (`<name>.yaml`, `.yml` or `.json`), read before the repository's `.aviary/quality-gates/`. */
  QUALITY_GATES_DIR: z.string().min(1).optional(),
  /** The SonarQube server of the `sonarqube` provider (a stage's `sonarqube.url` wins). */
  QUALITY_SONARQUBE_URL: z.url().optional(),
  /** A SonarQube user token (sent as the login of HTTP basic auth, as SonarQube documents). */
  QUALITY_SONARQUBE_TOKEN: z.string().min(1).optional(),
  /** How long to wait for SonarQube's analysis task to finish (the stage deadline may cut it shorter). */
  QUALITY_SONARQUBE_WAIT_MS: Millis(300_000),
  /** Between two reads of the analysis task. */
  QUALITY_SONARQUBE_POLL_MS: Millis(2_000),
  /** Timeout of one request to SonarQube. */
  QUALITY_HTTP_TIMEOUT_MS: Millis(10_000),
  /** The builder's time to answer the diff and file queries. */
  QUALITY_QUERY_TIMEOUT_MS: Millis(30_000),
});

export interface QualityConfig {
  gatesDir?: string;
  sonarqube: { url?: string; token?: string; waitMs: number; pollMs: number; httpTimeoutMs: number };
  queryTimeoutMs: number;
}

export function loadQualityConfig(env: Record<string, string | undefined>): QualityConfig {
  const parsed = QualityEnvironment.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `invalid configuration for quality: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const e = parsed.data;
  return {
    ...(e.QUALITY_GATES_DIR ? { gatesDir: e.QUALITY_GATES_DIR } : {}),
    sonarqube: {
      ...(e.QUALITY_SONARQUBE_URL ? { url: e.QUALITY_SONARQUBE_URL.replace(/\/+$/, '') } : {}),
      ...(e.QUALITY_SONARQUBE_TOKEN ? { token: e.QUALITY_SONARQUBE_TOKEN } : {}),
      waitMs: e.QUALITY_SONARQUBE_WAIT_MS,
      pollMs: e.QUALITY_SONARQUBE_POLL_MS,
      httpTimeoutMs: e.QUALITY_HTTP_TIMEOUT_MS,
    },
    queryTimeoutMs: e.QUALITY_QUERY_TIMEOUT_MS,
  };
}
