import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookReceived } from '@aviary/events';
import { eventually } from '@aviary/test-support';
import { randomUUID } from 'node:crypto';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';
import {
  fixture,
  githubExample,
  postBitbucket,
  postGeneric,
  postGithub,
  postGitlab,
} from '../testing/webhook-requests.js';

type Received = { deliveryId: string; application: string; trigger: Record<string, unknown> };

describe('webhooks', () => {
  let gateway: GatewayUnderTest;
  const secrets: Record<string, string> = {};

  async function application(body: Record<string, unknown>): Promise<void> {
    const created = await gateway.call('POST', '/api/v1/applications', { body });
    expect(created.status).toBe(201);
    secrets[body['name'] as string] = created.body.webhookSecret as string;
  }

  async function received(deliveryId: string): Promise<Array<{ id: string; data: Received }>> {
    const events = await gateway.stored(WebhookReceived.subject);
    return events
      .filter((event) => (event.envelope.data as Received).deliveryId === deliveryId)
      .map((event) => ({ id: event.envelope.id, data: event.envelope.data as Received }));
  }

  /** The sum of a counter's series that carry every given label. */
  async function metric(name: string, labels: string): Promise<number> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && labels.split(',').every((label) => l.includes(label)))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  }

  beforeAll(async () => {
    gateway = await startGateway();
    await application({
      name: 'hello-world',
      provider: 'github',
      repositoryUrl: 'https://github.com/Codertocat/Hello-World',
    });
    await application({
      name: 'octocoders',
      provider: 'github',
      repositoryUrl: 'git@github.com:Octocoders/Hello-World.git',
    });
    await application({
      name: 'diaspora',
      provider: 'gitlab',
      repositoryUrl: 'http://example.com/mike/diaspora.git',
    });
    await application({
      name: 'example',
      provider: 'gitlab',
      repositoryUrl: 'http://example.com/jsmith/example',
      buildTags: true,
    });
    await application({
      name: 'orders',
      provider: 'bitbucket',
      repositoryUrl: 'https://bitbucket.org/acme/orders',
    });
    await application({
      name: 'scripted',
      provider: 'generic',
      repositoryUrl: 'https://git.example.com/acme/scripted.git',
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  const branchPush = () => githubExample('push', (p) => p['ref'] === 'refs/heads/master');

  describe('GitHub', () => {
    it('accepts a signed push only once it is on the bus, with the trigger the orchestrator needs', async () => {
      const delivery = randomUUID();
      const payload = branchPush();
      const response = await postGithub(gateway.url, {
        event: 'push',
        payload,
        secret: secrets['hello-world'],
        delivery,
      });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({
        status: 'accepted',
        deliveryId: delivery,
        applications: ['hello-world'],
      });
      // 202 came after the JetStream ack: the message is already stored.
      const stored = await received(delivery);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.id).toBe(`webhook:github:${delivery}:hello-world:0`);
      expect(stored[0]!.data).toMatchObject({
        application: 'hello-world',
        trigger: {
          kind: 'push',
          provider: 'github',
          repository: 'https://github.com/Codertocat/Hello-World',
          ref: 'refs/heads/master',
          branch: 'master',
          sha: (payload['head_commit'] as { id: string }).id,
          actor: 'Codertocat',
        },
      });
    });

    it('answers a redelivery "duplicate" with 200 and publishes nothing new', async () => {
      const delivery = randomUUID();
      const first = await postGithub(gateway.url, {
        event: 'push',
        payload: branchPush(),
        secret: secrets['hello-world'],
        delivery,
      });
      expect(first.status).toBe(202);
      const again = await postGithub(gateway.url, {
        event: 'push',
        payload: branchPush(),
        secret: secrets['hello-world'],
        delivery,
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'duplicate', message: 'duplicate' });
      expect(await received(delivery)).toHaveLength(1);
    });

    it('answers ping, ignores other events, branch deletions and pushes with no commits, each with its reason', async () => {
      const ping = await postGithub(gateway.url, {
        event: 'ping',
        payload: githubExample('ping', (p) => 'repository' in p),
        secret: secrets['octocoders'],
      });
      expect(ping.status).toBe(200);
      expect(ping.body).toMatchObject({ status: 'pong' });

      const issues = await postGithub(gateway.url, {
        event: 'issues',
        payload: githubExample('issues'),
        secret: secrets['hello-world'],
      });
      expect(issues.status).toBe(202);
      expect(issues.body).toMatchObject({ status: 'ignored', message: 'ignored: issues' });

      const deletion = {
        ...branchPush(),
        deleted: true,
        commits: [],
        head_commit: null,
        after: '0'.repeat(40),
      };
      const deleted = await postGithub(gateway.url, {
        event: 'push',
        payload: deletion,
        secret: secrets['hello-world'],
      });
      expect(deleted.status).toBe(202);
      expect(deleted.body.message).toBe('ignored: branch deletion (refs/heads/master)');

      const tagDeletion = await postGithub(gateway.url, {
        event: 'push',
        payload: githubExample('push', (p) => p['deleted'] === true),
        secret: secrets['hello-world'],
      });
      expect(tagDeletion.body.message).toBe('ignored: tag deletion (refs/tags/simple-tag)');

      const empty = await postGithub(gateway.url, {
        event: 'push',
        payload: { ...branchPush(), commits: [] },
        secret: secrets['hello-world'],
      });
      expect(empty.status).toBe(202);
      expect(empty.body.message).toBe('ignored: push with no commits to refs/heads/master');
    });

    it('builds a tag push only for an application that asks for tags', async () => {
      const tag = () =>
        githubExample('push', (p) => p['ref'] === 'refs/tags/simple-tag' && p['deleted'] === false);
      const ignored = await postGithub(gateway.url, {
        event: 'push',
        payload: tag(),
        secret: secrets['hello-world'],
      });
      expect(ignored.status).toBe(202);
      expect(ignored.body).toMatchObject({ status: 'ignored' });
      expect(ignored.body.message).toContain('does not build tags');

      expect(
        (await gateway.call('PATCH', '/api/v1/applications/hello-world', { body: { buildTags: true } }))
          .status,
      ).toBe(200);
      const delivery = randomUUID();
      const built = await postGithub(gateway.url, {
        event: 'push',
        payload: tag(),
        secret: secrets['hello-world'],
        delivery,
      });
      expect(built.status).toBe(202);
      expect(built.body.status).toBe('accepted');
      expect((await received(delivery))[0]!.data.trigger).toMatchObject({
        kind: 'tag',
        tag: 'simple-tag',
        ref: 'refs/tags/simple-tag',
      });
      await gateway.call('PATCH', '/api/v1/applications/hello-world', { body: { buildTags: false } });
    });

    it('refuses a missing or wrong signature with 401: nothing published, counted, the source address logged', async () => {
      const before = await metric('aviary_gateway_webhook_signature_failures_total', 'provider="github"');
      const missing = randomUUID();
      const noSignature = await postGithub(gateway.url, {
        event: 'push',
        payload: branchPush(),
        signature: null,
        delivery: missing,
      });
      expect(noSignature.status).toBe(401);
      expect(noSignature.headers.get('content-type')).toContain('application/problem+json');
      expect(noSignature.body.detail).toBe('the x-hub-signature-256 header is missing');

      const wrong = randomUUID();
      const badSignature = await postGithub(gateway.url, {
        event: 'push',
        payload: branchPush(),
        secret: 'not-the-secret',
        delivery: wrong,
      });
      expect(badSignature.status).toBe(401);
      const tampered = await postGithub(gateway.url, {
        event: 'push',
        payload: { ...branchPush(), ref: 'refs/heads/evil' },
        signature: (await import('../webhooks/providers/signatures.js')).signHmacSha256(
          secrets['hello-world']!,
          JSON.stringify(branchPush()),
        ),
      });
      expect(tampered.status).toBe(401);

      expect(await received(missing)).toHaveLength(0);
      expect(await received(wrong)).toHaveLength(0);
      expect(await metric('aviary_gateway_webhook_signature_failures_total', 'provider="github"')).toBe(
        before + 3,
      );
      const refusals = gateway.logs.filter(
        (line) => line['msg'] === 'webhook refused: signature missing or wrong',
      );
      expect(refusals.length).toBeGreaterThanOrEqual(3);
      expect(refusals[0]).toMatchObject({ provider: 'github', sourceAddress: '127.0.0.1' });
    });

    it('answers 404 naming an unknown repository, 400 naming what is missing or malformed', async () => {
      const unknown = branchPush();
      (unknown['repository'] as Record<string, unknown>)['html_url'] = 'https://github.com/nobody/nothing';
      (unknown['repository'] as Record<string, unknown>)['full_name'] = 'nobody/nothing';
      (unknown['repository'] as Record<string, unknown>)['clone_url'] =
        'https://github.com/nobody/nothing.git';
      (unknown['repository'] as Record<string, unknown>)['ssh_url'] = 'git@github.com:nobody/nothing.git';
      const notFound = await postGithub(gateway.url, { event: 'push', payload: unknown, secret: 'x' });
      expect(notFound.status).toBe(404);
      expect(notFound.body.detail).toBe('repository nobody/nothing not found: no github application has it');

      const malformed = await postGithub(gateway.url, {
        event: 'push',
        payload: '{"ref": "refs/heads/main",',
        secret: 'x',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toContain('not valid JSON');

      const { ref: _ref, ...withoutRef } = branchPush();
      const missingRef = await postGithub(gateway.url, {
        event: 'push',
        payload: withoutRef,
        secret: secrets['hello-world'],
      });
      expect(missingRef.status).toBe(400);
      expect(missingRef.body.errors).toEqual([expect.objectContaining({ field: 'ref' })]);
      expect(missingRef.body.detail).toContain('ref:');

      const noDelivery = await postGithub(gateway.url, {
        event: 'push',
        payload: branchPush(),
        secret: secrets['hello-world'],
        headers: { 'x-github-delivery': '' },
      });
      expect(noDelivery.status).toBe(400);
      expect(noDelivery.body.detail).toContain('x-github-delivery');
    });

    it('answers 413 for a body over the limit', async () => {
      const huge = { ...branchPush(), padding: 'x'.repeat(1024 * 1024) };
      const response = await postGithub(gateway.url, {
        event: 'push',
        payload: huge,
        secret: secrets['hello-world'],
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('GitLab', () => {
    it('accepts a push with the right token, and refuses a wrong or missing one', async () => {
      const delivery = randomUUID();
      const accepted = await postGitlab(gateway.url, {
        event: 'Push Hook',
        payload: fixture('gitlab-push.json'),
        token: secrets['diaspora'],
        delivery,
      });
      expect(accepted.status).toBe(202);
      expect((await received(delivery))[0]!.data).toMatchObject({
        application: 'diaspora',
        trigger: {
          kind: 'push',
          provider: 'gitlab',
          branch: 'master',
          sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          actor: 'jsmith',
          message: 'fixed readme',
        },
      });
      const again = await postGitlab(gateway.url, {
        event: 'Push Hook',
        payload: fixture('gitlab-push.json'),
        token: secrets['diaspora'],
        delivery,
      });
      expect(again.status).toBe(200);
      expect(again.body.message).toBe('duplicate');

      expect(
        (
          await postGitlab(gateway.url, {
            event: 'Push Hook',
            payload: fixture('gitlab-push.json'),
            token: 'wrong',
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await postGitlab(gateway.url, {
            event: 'Push Hook',
            payload: fixture('gitlab-push.json'),
            token: null,
          })
        ).status,
      ).toBe(401);
    });

    it('builds tag pushes for an application that asks for them, ignores branch deletions', async () => {
      const delivery = randomUUID();
      const tag = await postGitlab(gateway.url, {
        event: 'Tag Push Hook',
        payload: fixture('gitlab-tag-push.json'),
        token: secrets['example'],
        delivery,
      });
      expect(tag.status).toBe(202);
      expect((await received(delivery))[0]!.data.trigger).toMatchObject({
        kind: 'tag',
        tag: 'v1.0.0',
        sha: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      });

      const deletion = {
        ...fixture('gitlab-push.json'),
        after: '0'.repeat(40),
        checkout_sha: null,
        commits: [],
        total_commits_count: 0,
      };
      const deleted = await postGitlab(gateway.url, {
        event: 'Push Hook',
        payload: deletion,
        token: secrets['diaspora'],
      });
      expect(deleted.status).toBe(202);
      expect(deleted.body.message).toBe('ignored: branch deletion (refs/heads/master)');
      const other = await postGitlab(gateway.url, {
        event: 'Merge Request Hook',
        payload: fixture('gitlab-push.json'),
        token: secrets['diaspora'],
      });
      expect(other.body.message).toBe('ignored: Merge Request Hook');
    });
  });

  describe('Bitbucket', () => {
    it('accepts a signed repo:push and refuses a bad signature', async () => {
      const delivery = randomUUID();
      const accepted = await postBitbucket(gateway.url, {
        event: 'repo:push',
        payload: fixture('bitbucket-push.json'),
        secret: secrets['orders'],
        delivery,
      });
      expect(accepted.status).toBe(202);
      expect((await received(delivery))[0]!.data).toMatchObject({
        application: 'orders',
        trigger: {
          kind: 'push',
          provider: 'bitbucket',
          branch: 'main',
          sha: '9fec847784abb10b2fa567ee63b85bd238955d0e',
          actor: 'asouza',
        },
      });
      expect(
        (
          await postBitbucket(gateway.url, {
            event: 'repo:push',
            payload: fixture('bitbucket-push.json'),
            secret: secrets['orders'],
            delivery,
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await postBitbucket(gateway.url, {
            event: 'repo:push',
            payload: fixture('bitbucket-push.json'),
            secret: 'nope',
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await postBitbucket(gateway.url, {
            event: 'repo:push',
            payload: fixture('bitbucket-push.json'),
            signature: null,
          })
        ).status,
      ).toBe(401);
    });

    it('ignores a branch deletion with its reason', async () => {
      const payload = fixture('bitbucket-push.json');
      const change = (payload['push'] as { changes: Array<Record<string, unknown>> }).changes[0]!;
      change['new'] = null;
      change['closed'] = true;
      const response = await postBitbucket(gateway.url, {
        event: 'repo:push',
        payload,
        secret: secrets['orders'],
      });
      expect(response.status).toBe(202);
      expect(response.body.message).toBe('ignored: branch deletion (branch main)');
    });
  });

  describe('generic', () => {
    const body = {
      repo: 'https://git.example.com/acme/scripted',
      ref: 'refs/heads/main',
      sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    };

    it('accepts the documented body signed with the application secret', async () => {
      const delivery = randomUUID();
      const response = await postGeneric(gateway.url, 'scripted', {
        payload: body,
        secret: secrets['scripted'],
        delivery,
      });
      expect(response.status).toBe(202);
      expect((await received(delivery))[0]!.data.trigger).toMatchObject({
        kind: 'push',
        provider: 'generic',
        branch: 'main',
        sha: body.sha,
      });
      expect(
        (await postGeneric(gateway.url, 'scripted', { payload: body, secret: secrets['scripted'], delivery }))
          .status,
      ).toBe(200);
    });

    it('refuses a bad signature, an unknown application or repository, and names a missing field', async () => {
      expect((await postGeneric(gateway.url, 'scripted', { payload: body, secret: 'wrong' })).status).toBe(
        401,
      );
      const unknownApp = await postGeneric(gateway.url, 'nope', { payload: body, secret: 'x' });
      expect(unknownApp.status).toBe(404);
      expect(unknownApp.body.detail).toBe('no application is named "nope"');
      const otherRepo = await postGeneric(gateway.url, 'scripted', {
        payload: { ...body, repo: 'https://git.example.com/acme/other' },
        secret: secrets['scripted'],
      });
      expect(otherRepo.status).toBe(404);
      expect(otherRepo.body.detail).toContain('repository https://git.example.com/acme/other not found');
      const { sha: _sha, ...noSha } = body;
      const missing = await postGeneric(gateway.url, 'scripted', {
        payload: noSha,
        secret: secrets['scripted'],
      });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'sha' })]);
    });
  });

  it('counts accepted webhooks by provider', async () => {
    await eventually(async () =>
      expect(
        await metric('aviary_gateway_webhooks_total', 'provider="github",outcome="accepted"'),
      ).toBeGreaterThan(0),
    );
  });
});

describe('webhook rate limit', () => {
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gateway = await startGateway({
      env: { AVIARY_WEBHOOK_RATE_LIMIT: '3', AVIARY_WEBHOOK_RATE_WINDOW_MS: '60000' },
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 429 past the limit per source address, on webhooks only', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await postGithub(gateway.url, { event: 'push', payload: {}, signature: null })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await postGithub(gateway.url, { event: 'push', payload: {}, signature: null });
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body.detail).toContain('too many webhooks');
    expect((await gateway.call('GET', '/api/v1/applications')).status).toBe(200);
  });
});
