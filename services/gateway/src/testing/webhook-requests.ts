import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { signHmacSha256 } from '../webhooks/providers/signatures.js';
import { send, type TestResponse } from './gateway-harness.js';

const require = createRequire(import.meta.url);

interface GithubWebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const githubExamples = require('@octokit/webhooks-examples') as GithubWebhookDefinition[];

/** The real payloads GitHub sends, from @octokit/webhooks-examples, with a filter on their fields. */
export function githubExample(
  event: string,
  match: (payload: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = githubExamples.find((definition) => definition.name === event)?.examples.find(match);
  if (!found) throw new Error(`no ${event} example matches`);
  return structuredClone(found);
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../webhooks/fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

function bodyOf(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** Posts as GitHub does: its headers, `X-Hub-Signature-256` over the exact bytes sent. */
export function postGithub(
  baseUrl: string,
  options: {
    event: string;
    payload: unknown;
    secret?: string;
    delivery?: string;
    signature?: string | null;
    headers?: Record<string, string>;
  },
): Promise<TestResponse> {
  const body = bodyOf(options.payload);
  const signature =
    options.signature === undefined ? signHmacSha256(options.secret ?? '', body) : options.signature;
  return send(`${baseUrl}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/7f4b1c2',
      'x-github-event': options.event,
      'x-github-delivery': options.delivery ?? randomUUID(),
      'x-github-hook-id': '292430182',
      'x-github-hook-installation-target-type': 'repository',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      ...options.headers,
    },
    body,
  });
}

/** Posts as GitLab does: the shared secret in `X-Gitlab-Token`. */
export function postGitlab(
  baseUrl: string,
  options: { event: string; payload: unknown; token?: string | null; delivery?: string },
): Promise<TestResponse> {
  return send(`${baseUrl}/webhooks/gitlab`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitLab/17.5.0',
      'x-gitlab-event': options.event,
      'x-gitlab-event-uuid': options.delivery ?? randomUUID(),
      'x-gitlab-instance': 'https://gitlab.example.com',
      'x-gitlab-webhook-uuid': '0f4f5b3e-4c5d-4c1e-9a7b-2d3c4e5f6a7b',
      ...(options.token === null ? {} : { 'x-gitlab-token': options.token ?? '' }),
    },
    body: bodyOf(options.payload),
  });
}

/** Posts as Bitbucket Cloud does: `X-Hub-Signature: sha256=...`, `X-Event-Key`, `X-Request-UUID`. */
export function postBitbucket(
  baseUrl: string,
  options: { event: string; payload: unknown; secret?: string; delivery?: string; signature?: string | null },
): Promise<TestResponse> {
  const body = bodyOf(options.payload);
  const signature =
    options.signature === undefined ? signHmacSha256(options.secret ?? '', body) : options.signature;
  return send(`${baseUrl}/webhooks/bitbucket`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Bitbucket-Webhooks/2.0',
      'x-event-key': options.event,
      'x-request-uuid': options.delivery ?? randomUUID(),
      'x-hook-uuid': '{6f1c8a9e-3b2d-4e5f-8a7b-9c0d1e2f3a4b}',
      'x-attempt-number': '1',
      ...(signature === null ? {} : { 'x-hub-signature': signature }),
    },
    body,
  });
}

export function postGeneric(
  baseUrl: string,
  application: string,
  options: { payload: unknown; secret?: string; delivery?: string; signature?: string | null },
): Promise<TestResponse> {
  const body = bodyOf(options.payload);
  const signature =
    options.signature === undefined ? signHmacSha256(options.secret ?? '', body) : options.signature;
  return send(`${baseUrl}/webhooks/generic/${application}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-uuid': options.delivery ?? randomUUID(),
      ...(signature === null ? {} : { 'x-aviary-signature': signature }),
    },
    body,
  });
}
