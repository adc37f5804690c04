import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { ApiPeer } from '../../testing/api-peer.js';
import { type CommitStatus } from '../commit-status.js';
import { sendGitlabStatus } from '../gitlab/gitlab-status.js';
import { HttpPoster } from '../http.js';
import { GithubStatuses } from './github-status.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const status: CommitStatus = {
  repository: 'https://github.com/acme/shop',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  state: 'canceled',
  context: 'aviary/shop',
  description: 'shop: node-service was cancelled',
  targetUrl: 'https://aviary.example.com/executions/e1',
};

/** Commit statuses against a peer that answers as the GitHub and GitLab APIs do. */
describe('commit statuses', () => {
  const api = new ApiPeer({
    githubAppPublicKey: publicKey,
    githubToken: 'ghp_tokenForTheStatusTest000000',
    gitlabToken: 'glpat-status-test',
  });
  const http = new HttpPoster(5000);

  beforeAll(() => api.start());
  afterAll(async () => {
    await http.close();
    await api.stop();
  });

  it('sets a status as a GitHub App: finds the installation with a signed JWT, then uses its token', async () => {
    const github = new GithubStatuses({
      apiUrl: `${api.url}/github`,
      app: { appId: '12345', privateKey },
      timeoutMs: 5000,
    });
    expect(await github.send(status)).toMatchObject({ ok: true, statusCode: 201 });
    expect(api.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'GET /github/repos/acme/shop/installation 200',
      'POST /github/app/installations/4242/access_tokens 201',
      `POST /github/repos/acme/shop/statuses/${status.sha} 201`,
    ]);
    const set = api.calls.at(-1)!;
    expect(set.headers.authorization).toBe('token ghs_installation4242token');
    // GitHub has no "canceled": a cancelled execution shows as an error.
    expect(set.body).toEqual({
      state: 'error',
      context: 'aviary/shop',
      description: status.description,
      target_url: status.targetUrl,
    });
  });

  it("retries GitHub's rate limits and 5xx, not its refusals", async () => {
    const github = new GithubStatuses({
      apiUrl: `${api.url}/github`,
      token: 'ghp_tokenForTheStatusTest000000',
      timeoutMs: 5000,
    });
    const path = /\/statuses\//;
    api.script(path, { status: 429, headers: { 'retry-after': '3' }, body: { message: 'slow down' } });
    expect(await github.send(status)).toMatchObject({
      ok: false,
      retryable: true,
      statusCode: 429,
      retryAfterMs: 3000,
    });
    const reset = Math.floor(Date.now() / 1000) + 60;
    api.script(path, {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded' },
    });
    const limited = await github.send(status);
    expect(limited).toMatchObject({ ok: false, retryable: true, statusCode: 403 });
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    api.script(path, { status: 502, body: { message: 'bad gateway' } });
    expect(await github.send(status)).toMatchObject({ ok: false, retryable: true, statusCode: 502 });
    api.script(path, { status: 422, body: { message: 'Validation Failed' } });
    expect(await github.send(status)).toMatchObject({ ok: false, retryable: false, statusCode: 422 });
    expect(await github.send({ ...status, repository: 'not a repository' })).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it('sets a GitLab status, taking "already in that state" as done', async () => {
    const options = { apiUrl: `${api.url}/gitlab`, token: 'glpat-status-test' };
    expect(
      await sendGitlabStatus(http, options, {
        ...status,
        repository: 'git@gitlab.com:acme/platform/shop.git',
        state: 'running',
      }),
    ).toMatchObject({ ok: true });
    const call = api.calls.at(-1)!;
    expect(call.path).toBe(`/gitlab/projects/acme%2Fplatform%2Fshop/statuses/${status.sha}`);
    expect(call.headers['private-token']).toBe('glpat-status-test');
    expect(call.body).toMatchObject({ state: 'running', name: 'aviary/shop' });
    api.script(/\/gitlab\//, {
      status: 400,
      body: { message: 'Cannot transition status via :run from :running' },
    });
    expect(await sendGitlabStatus(http, options, { ...status, state: 'running' })).toMatchObject({
      ok: true,
    });
    expect(await sendGitlabStatus(http, { ...options, token: 'wrong' }, status)).toMatchObject({
      ok: false,
      retryable: false,
      statusCode: 401,
    });
  });
});
