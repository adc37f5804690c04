import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookReceived } from '@aviary/events';
import { eventually, startNatsServer, type NatsServerProcess } from '@aviary/test-support';
import { randomUUID } from 'node:crypto';
import { startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';
import { githubExample, postGithub } from '../testing/webhook-requests.js';

describe('webhooks when NATS stops during a burst', () => {
  let nats: NatsServerProcess;
  let gateway: GatewayUnderTest;
  let secret: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await startGateway({ natsUrl: nats.url, env: { AVIARY_WEBHOOK_RATE_LIMIT: '0' } });
    const created = await gateway.call('POST', '/api/v1/applications', {
      body: {
        name: 'hello-world',
        provider: 'github',
        repositoryUrl: 'https://github.com/Codertocat/Hello-World',
      },
    });
    secret = created.body.webhookSecret!;
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await nats?.dispose();
  }, 60_000);

  it('answers every request 202 (and its message is in the stream) or 503 (and a redelivery is accepted); none vanishes', async () => {
    const payload = githubExample('push', (p) => p['ref'] === 'refs/heads/master');
    const total = 120;
    const answers = new Map<string, number>();
    let next = 0;
    let stopped: Promise<void> | undefined;
    const lane = async () => {
      while (next < total) {
        next += 1;
        const delivery = randomUUID();
        const response = await postGithub(gateway.url, { event: 'push', payload, secret, delivery }).catch(
          (error: unknown) => ({ status: -1, text: String(error) }),
        );
        answers.set(delivery, response.status);
        // A third of the way in, NATS dies (SIGKILL) with requests in flight.
        if (answers.size === 40) stopped ??= nats.stop();
      }
    };
    await Promise.all(Array.from({ length: 24 }, lane));
    await stopped;

    const statuses = [...answers.values()];
    expect(new Set(statuses)).toEqual(new Set([202, 503]));
    const accepted = [...answers].filter(([, status]) => status === 202).map(([delivery]) => delivery);
    const refused = [...answers].filter(([, status]) => status === 503).map(([delivery]) => delivery);
    expect(accepted.length + refused.length).toBe(total);
    expect(accepted.length).toBeGreaterThanOrEqual(40);

    await nats.restart();
    await eventually(async () => expect((await fetch(`${gateway.url}/health`)).status).toBe(200), 30_000);
    const stored = new Set(
      (await gateway.stored(WebhookReceived.subject)).map(
        (event) => (event.envelope.data as { deliveryId: string }).deliveryId,
      ),
    );
    expect(accepted.filter((delivery) => !stored.has(delivery))).toEqual([]);

    // What was refused was not remembered as seen: the provider's redelivery is accepted now.
    for (const delivery of refused.slice(0, 10)) {
      const redelivered = await postGithub(gateway.url, { event: 'push', payload, secret, delivery });
      expect(redelivered.status).toBe(202);
    }
  }, 120_000);
});
