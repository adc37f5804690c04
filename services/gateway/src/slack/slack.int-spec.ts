import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  type DataOf,
  GetNotificationSettings,
  ListDeliveries,
  SetNotificationSettings,
  SlackInteraction,
} from '@aviary/events';
import { BusContext } from '@aviary/messaging';
import { eventually } from '@aviary/test-support';
import { startBusStub, type BusStub } from '../testing/bus-stub.js';
import { send, startGateway, type GatewayUnderTest } from '../testing/gateway-harness.js';
import { signSlackRequest } from './slack-signature.js';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

const notifier = {
  interactions: [] as Array<{ data: DataOf<typeof SlackInteraction>; source: string }>,
  settings: [] as Array<DataOf<typeof SetNotificationSettings>>,
  deliveryQueries: [] as Array<DataOf<typeof ListDeliveries>>,
};

@Controller()
class NotifierStub {
  @EventPattern<string>(SlackInteraction.subject)
  interaction(@Payload() data: DataOf<typeof SlackInteraction>, @Ctx() ctx: BusContext) {
    notifier.interactions.push({ data, source: ctx.envelope.source });
  }

  @EventPattern<string>(SetNotificationSettings.subject)
  set(@Payload() data: DataOf<typeof SetNotificationSettings>) {
    notifier.settings.push(data);
  }

  @MessagePattern(GetNotificationSettings.subject)
  get(@Payload() query: DataOf<typeof GetNotificationSettings>) {
    return { application: query.application, settings: null, problems: [] };
  }

  @MessagePattern(ListDeliveries.subject)
  deliveries(@Payload() query: DataOf<typeof ListDeliveries>) {
    notifier.deliveryQueries.push(query);
    return { deliveries: [] };
  }
}

@Module({ controllers: [NotifierStub] })
class NotifierStubModule {}

/** A block_actions payload as Slack sends it when Approve is pressed on a notifier message. */
function approvePayload(user = 'U0DEPLOYER'): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM', domain: 'acme' },
    user: { id: user, username: 'alice', name: 'alice', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'verification-token-not-used',
    container: {
      type: 'message',
      message_ts: '1700000000.000001',
      channel_id: 'CDEPLOYS',
      is_ephemeral: false,
    },
    trigger_id: '123.456.abc',
    channel: { id: 'CDEPLOYS', name: 'deploys' },
    message: { type: 'message', ts: '1700000000.000001', text: 'shop: judge waits' },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/xyz',
    actions: [
      {
        type: 'button',
        action_id: 'aviary.judgment.approve',
        block_id: 'judgment:judge',
        value: '{"executionId":"exec-1","stageId":"judge"}',
        style: 'primary',
        action_ts: '1700000001.000000',
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

describe('Slack interactions and notification settings on the gateway', () => {
  let gateway: GatewayUnderTest;
  let stub: BusStub;
  let deployer: string;

  const post = (body: string, headers: Record<string, string>) =>
    send(`${gateway.url}/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Slackbot 1.0',
        ...headers,
      },
      body,
    });
  const signed = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackRequest(SIGNING_SECRET, String(timestamp), body),
  });

  beforeAll(async () => {
    gateway = await startGateway({ env: { AVIARY_SLACK_SIGNING_SECRET: SIGNING_SECRET } });
    stub = await startBusStub(gateway, 'notifier', NotifierStubModule);
    await gateway.call('POST', '/api/v1/applications', {
      body: { name: 'shop', provider: 'github', repositoryUrl: 'https://github.com/acme/shop' },
    });
    deployer = (await gateway.call('POST', '/api/v1/tokens', { body: { name: 'ops', role: 'deployer' } }))
      .body.token!;
  }, 60_000);

  afterAll(async () => {
    await stub?.close();
    await gateway?.close();
  });

  it('forwards a button pressed in Slack to the notifier once the signature checks out', async () => {
    const body = approvePayload();
    const answer = await post(body, signed(body));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    await eventually(() => expect(notifier.interactions).toHaveLength(1), 10_000);
    expect(notifier.interactions[0]).toMatchObject({
      source: '/aviary/gateway',
      data: {
        teamId: 'T0TEAM',
        user: { id: 'U0DEPLOYER', username: 'alice', name: 'alice' },
        channelId: 'CDEPLOYS',
        messageTs: '1700000000.000001',
        actionId: 'aviary.judgment.approve',
        value: '{"executionId":"exec-1","stageId":"judge"}',
      },
    });
  });

  it('refuses forged, stale and unsigned requests with 401, forwarding nothing', async () => {
    const before = notifier.interactions.length;
    const body = approvePayload('U0MALLORY');
    const forged = await post(body, {
      ...signed(body),
      'x-slack-signature': signSlackRequest('not-the-secret', String(Math.floor(Date.now() / 1000)), body),
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect(forged.body.detail).toBe('the Slack signature does not match');

    const tampered = await post(body.replace('approve', 'reject'), signed(body));
    expect(tampered.status).toBe(401);

    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await post(body, signed(body, sixMinutesAgo));
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toMatch(/older than five minutes/);

    const unsigned = await post(body, {});
    expect(unsigned.status).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notifier.interactions).toHaveLength(before);
    expect(gateway.logs.some((l) => l['msg'] === 'refused a Slack interaction')).toBe(true);
  });

  it('acknowledges other interaction types without forwarding them', async () => {
    const before = notifier.interactions.length;
    const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U1' } }))}`;
    const answer = await post(body, signed(body));
    expect(answer.status).toBe(200);
    const broken = 'payload=%7Bnot-json';
    expect((await post(broken, signed(broken))).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(notifier.interactions).toHaveLength(before);
  });

  it("sets an application's notification settings (admin) and reads them and the delivery log back", async () => {
    const settings = {
      channels: ['slack:#shop', 'github:status'],
      subscriptions: [{ channel: 'email:team@example.com', events: ['execution.failed', 'rollback.done'] }],
      templates: { 'execution.failed': { title: '{{application}} broke' } },
    };
    const put = await gateway.call('PUT', '/api/v1/applications/shop/notifications', { body: settings });
    expect(put.status).toBe(202);
    await eventually(
      () =>
        expect(notifier.settings.at(-1)).toMatchObject({
          application: 'shop',
          settings,
          user: 'bootstrap-admin',
        }),
      10_000,
    );

    const refused = await gateway.call('PUT', '/api/v1/applications/shop/notifications', {
      body: settings,
      token: deployer,
    });
    expect(refused.status).toBe(403);
    const invalid = await gateway.call('PUT', '/api/v1/applications/shop/notifications', {
      body: { channels: ['#shop'], subscriptions: [{ channel: 'slack:#x', events: ['execution.exploded'] }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((e) => e.field)).toEqual(['channels[0]', 'subscriptions[0].events[0]']);
    expect(
      (await gateway.call('PUT', '/api/v1/applications/nope/notifications', { body: settings })).status,
    ).toBe(404);

    const removed = await gateway.call('DELETE', '/api/v1/applications/shop/notifications');
    expect(removed.status).toBe(202);
    await eventually(
      () => expect(notifier.settings.at(-1)).toMatchObject({ application: 'shop', settings: null }),
      10_000,
    );

    const read = await gateway.call('GET', '/api/v1/applications/shop/notifications', { token: deployer });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ application: 'shop', settings: null, problems: [] });

    const deliveries = await gateway.call(
      'GET',
      '/api/v1/notifications/deliveries?application=shop&status=dead,pending&limit=10',
      { token: deployer },
    );
    expect(deliveries.status).toBe(200);
    expect(notifier.deliveryQueries.at(-1)).toEqual({
      application: 'shop',
      status: ['dead', 'pending'],
      limit: 10,
    });
  });
});
