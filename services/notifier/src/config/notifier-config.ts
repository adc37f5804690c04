import { ChannelTarget } from '@aviary/events';
import { registerSecret } from '@aviary/observability';
import { z } from 'zod';

const Millis = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const Count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const Role = z.enum(['viewer', 'deployer', 'admin']);
export type Role = z.infer<typeof Role>;

/** `U123=deployer,U456=admin`: which Aviary role a Slack user has when judging from Slack. */
const SlackUsers = z.string().transform((text, ctx) => {
  const map: Record<string, Role> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [user, role] = pair.split('=').map((s) => s.trim());
    const parsed = Role.safeParse(role);
    if (!user || !parsed.success) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not <slack user id>=viewer|deployer|admin` });
      return z.NEVER;
    }
    map[user] = parsed.data;
  }
  return map;
});

/** The notifier's own settings; channel credentials are found by name (see the README). */
export const NotifierEnvironment = z.object({
  /** Base URL of the web UI, for the links in messages (`<url>/executions/<id>`). */
  NOTIFIER_UI_URL: z.url().default('http://127.0.0.1:8080'),
  NOTIFIER_DEFAULT_CHANNELS: z.string().default(''),
  NOTIFIER_SLACK_API_URL: z.url().default('https://slack.com/api'),
  NOTIFIER_SLACK_TOKEN: z.string().min(1).optional(),
  NOTIFIER_SLACK_USERS: SlackUsers.default({}),
  NOTIFIER_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  NOTIFIER_SMTP_FROM: z.string().min(3).default('Aviary <aviary@localhost>'),
  NOTIFIER_GITHUB_API_URL: z.url().default('https://api.github.com'),
  NOTIFIER_GITHUB_TOKEN: z.string().min(1).optional(),
  NOTIFIER_GITHUB_APP_ID: z.string().regex(/^\d+$/).optional(),
  NOTIFIER_GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  NOTIFIER_GITHUB_APP_INSTALLATION_ID: z.coerce.number().int().min(1).optional(),
  NOTIFIER_GITLAB_API_URL: z.url().default('https://gitlab.com/api/v4'),
  NOTIFIER_GITLAB_TOKEN: z.string().min(1).optional(),
  NOTIFIER_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  NOTIFIER_MAX_ATTEMPTS: Count(6),
  NOTIFIER_RETRY_BASE_MS: Millis(1000),
  NOTIFIER_RETRY_MAX_MS: Millis(300_000),
  NOTIFIER_HTTP_TIMEOUT_MS: Millis(10_000),
  NOTIFIER_CONCURRENCY: Count(32),
  NOTIFIER_TARGET_CONCURRENCY: Count(8),
  NOTIFIER_POLL_MS: Millis(500, 10),
  NOTIFIER_LEASE_MS: Millis(60_000, 1000),
  NOTIFIER_STAGE_WAIT_MS: Millis(60_000),
});

export interface GithubAppCredentials {
  appId: string;
  privateKey: string;
  installationId?: number;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface NotifierConfig {
  uiUrl: string;
  defaultChannels: string[];
  slack: { apiUrl: string; token?: string; users: Record<string, Role>; webhooks: Record<string, string> };
  smtp?: { url: string; from: string };
  github: { apiUrl: string; token?: string; app?: GithubAppCredentials };
  gitlab: { apiUrl: string; token?: string };
  webhooks: { endpoints: Record<string, WebhookEndpoint>; defaultSecret?: string };
  delivery: {
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    httpTimeoutMs: number;
    concurrency: number;
    targetConcurrency: number;
    pollMs: number;
    leaseMs: number;
  };
  stageWaitMs: number;
}

export class NotifierConfigError extends Error {
  override readonly name = 'NotifierConfigError';
}

/** `NOTIFIER_SLACK_WEBHOOK_DEPLOYS` -> `deploys`; `_` becomes `-` (`OPS_ALERTS` -> `ops-alerts`). */
const nameOf = (suffix: string) => suffix.toLowerCase().replace(/_/g, '-');

function fail(problems: string[]): never {
  throw new NotifierConfigError(`invalid configuration for notifier: ${problems.join('; ')}`);
}

/** Named credentials: incoming Slack webhooks and outgoing webhook endpoints, by variable prefix. */
function namedCredentials(env: Record<string, string | undefined>) {
  const problems: string[] = [];
  const slackWebhooks: Record<string, string> = {};
  const endpoints: Record<string, Partial<WebhookEndpoint>> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    let match = /^NOTIFIER_SLACK_WEBHOOK_([A-Z0-9_]+)$/.exec(key);
    if (match) {
      if (!z.url({ protocol: /^https?$/ }).safeParse(value).success)
        problems.push(`${key}: not an http(s) URL`);
      else slackWebhooks[nameOf(match[1]!)] = value;
      continue;
    }
    match = /^NOTIFIER_WEBHOOK_([A-Z0-9_]+)_(URL|SECRET)$/.exec(key);
    if (match) {
      const endpoint = (endpoints[nameOf(match[1]!)] ??= {});
      if (match[2] === 'URL') {
        if (!z.url({ protocol: /^https?$/ }).safeParse(value).success)
          problems.push(`${key}: not an http(s) URL`);
        endpoint.url = value;
      } else if (value.length < 16) problems.push(`${key}: at least 16 characters`);
      else endpoint.secret = value;
    }
  }
  const complete: Record<string, WebhookEndpoint> = {};
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const variable = `NOTIFIER_WEBHOOK_${name.toUpperCase().replace(/-/g, '_')}`;
    if (!endpoint.url) problems.push(`${variable}_SECRET is set without ${variable}_URL`);
    else if (!endpoint.secret) problems.push(`${variable}_URL is set without ${variable}_SECRET`);
    else complete[name] = { url: endpoint.url, secret: endpoint.secret };
  }
  return { slackWebhooks, endpoints: complete, problems };
}

export function loadNotifierConfig(env: Record<string, string | undefined>): NotifierConfig {
  const parsed = NotifierEnvironment.safeParse(env);
  const named = namedCredentials(env);
  const problems = [
    ...(parsed.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`),
    ...named.problems,
  ];
  if (!parsed.success || problems.length) fail(problems);
  const e = parsed.data;
  const defaultChannels = e.NOTIFIER_DEFAULT_CHANNELS.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const channel of defaultChannels)
    if (!ChannelTarget.safeParse(channel).success)
      fail([`NOTIFIER_DEFAULT_CHANNELS: "${channel}" is not kind:address`]);
  if ((e.NOTIFIER_GITHUB_APP_ID === undefined) !== (e.NOTIFIER_GITHUB_APP_PRIVATE_KEY === undefined))
    fail(['NOTIFIER_GITHUB_APP_ID and NOTIFIER_GITHUB_APP_PRIVATE_KEY go together']);
  // A PEM in one environment line is often written with literal \n.
  const privateKey = e.NOTIFIER_GITHUB_APP_PRIVATE_KEY?.replace(/\\n/g, '\n');
  for (const secret of [
    e.NOTIFIER_SLACK_TOKEN,
    e.NOTIFIER_GITHUB_TOKEN,
    privateKey,
    e.NOTIFIER_GITLAB_TOKEN,
    e.NOTIFIER_WEBHOOK_SECRET,
    e.NOTIFIER_SMTP_URL ? new URL(e.NOTIFIER_SMTP_URL).password || undefined : undefined,
    ...Object.values(named.slackWebhooks),
    ...Object.values(named.endpoints).map((endpoint) => endpoint.secret),
  ])
    registerSecret(secret);
  return {
    uiUrl: e.NOTIFIER_UI_URL.replace(/\/$/, ''),
    defaultChannels,
    slack: {
      apiUrl: e.NOTIFIER_SLACK_API_URL.replace(/\/$/, ''),
      ...(e.NOTIFIER_SLACK_TOKEN ? { token: e.NOTIFIER_SLACK_TOKEN } : {}),
      users: e.NOTIFIER_SLACK_USERS,
      webhooks: named.slackWebhooks,
    },
    ...(e.NOTIFIER_SMTP_URL ? { smtp: { url: e.NOTIFIER_SMTP_URL, from: e.NOTIFIER_SMTP_FROM } } : {}),
    github: {
      apiUrl: e.NOTIFIER_GITHUB_API_URL.replace(/\/$/, ''),
      ...(e.NOTIFIER_GITHUB_TOKEN ? { token: e.NOTIFIER_GITHUB_TOKEN } : {}),
      ...(e.NOTIFIER_GITHUB_APP_ID && privateKey
        ? {
            app: {
              appId: e.NOTIFIER_GITHUB_APP_ID,
              privateKey,
              ...(e.NOTIFIER_GITHUB_APP_INSTALLATION_ID
                ? { installationId: e.NOTIFIER_GITHUB_APP_INSTALLATION_ID }
                : {}),
            },
          }
        : {}),
    },
    gitlab: {
      apiUrl: e.NOTIFIER_GITLAB_API_URL.replace(/\/$/, ''),
      ...(e.NOTIFIER_GITLAB_TOKEN ? { token: e.NOTIFIER_GITLAB_TOKEN } : {}),
    },
    webhooks: {
      endpoints: named.endpoints,
      ...(e.NOTIFIER_WEBHOOK_SECRET ? { defaultSecret: e.NOTIFIER_WEBHOOK_SECRET } : {}),
    },
    delivery: {
      maxAttempts: e.NOTIFIER_MAX_ATTEMPTS,
      retryBaseMs: e.NOTIFIER_RETRY_BASE_MS,
      retryMaxMs: e.NOTIFIER_RETRY_MAX_MS,
      httpTimeoutMs: e.NOTIFIER_HTTP_TIMEOUT_MS,
      concurrency: e.NOTIFIER_CONCURRENCY,
      targetConcurrency: e.NOTIFIER_TARGET_CONCURRENCY,
      pollMs: e.NOTIFIER_POLL_MS,
      leaseMs: e.NOTIFIER_LEASE_MS,
    },
    stageWaitMs: e.NOTIFIER_STAGE_WAIT_MS,
  };
}

export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
