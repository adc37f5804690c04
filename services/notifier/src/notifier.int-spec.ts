import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Envelope,
  ExecutionCompleted,
  ExecutionFailed,
  GetNotificationSettings,
  ListDeliveries,
  ReleaseChanged,
  SetNotificationSettings,
  StageCommands,
  type StageCommandData,
  StageEvents,
} from '@aviary/events';
import { eventually, eventuallyFound } from '@aviary/test-support';
import { ApiPeer } from './testing/api-peer.js';
import { ExecutionScript, SHA, type NotifierUnderTest, startNotifier } from './testing/notifier-harness.js';
import { SmtpPeer } from './testing/smtp-peer.js';

const SLACK_TOKEN = 'xoxb-1111111111-2222222222-notifiertestslacktoken';
const GITHUB_TOKEN = 'ghp_notifierTestTokenNotifierTestToken01';
const GITLAB_TOKEN = 'glpat-notifierTestTokenForGitLab01';
const CI_SECRET = 'ci-webhook-secret-0123456789';
const SMTP = { user: 'aviary', pass: 'smtp-password-5678' };

/** The notifier on real NATS and PostgreSQL, talking to real HTTP and SMTP peers on loopback. */
describe('the notifier', () => {
  let notifier: NotifierUnderTest;
  const api = new ApiPeer({
    slackToken: SLACK_TOKEN,
    githubToken: GITHUB_TOKEN,
    gitlabToken: GITLAB_TOKEN,
    webhookSecrets: { '/hooks/ci': CI_SECRET, '/hooks/retry': CI_SECRET, '/hooks/dead': CI_SECRET },
  });
  const smtp = new SmtpPeer(SMTP);

  beforeAll(async () => {
    await api.start();
    await smtp.start();
    notifier = await startNotifier({
      NOTIFIER_UI_URL: 'https://aviary.example.com',
      NOTIFIER_SLACK_API_URL: `${api.url}/slack/api`,
      NOTIFIER_SLACK_TOKEN: SLACK_TOKEN,
      NOTIFIER_SLACK_USERS: 'U0DEPLOYER=deployer,U0VIEWER=viewer',
      NOTIFIER_SLACK_WEBHOOK_ALERTS: `${api.url}/slack/hooks/alerts`,
      NOTIFIER_SLACK_WEBHOOK_GONE: `${api.url}/slack/gone`,
      NOTIFIER_SMTP_URL: smtp.url,
      NOTIFIER_SMTP_FROM: 'Aviary <aviary@example.com>',
      NOTIFIER_GITHUB_API_URL: `${api.url}/github`,
      NOTIFIER_GITHUB_TOKEN: GITHUB_TOKEN,
      NOTIFIER_GITLAB_API_URL: `${api.url}/gitlab`,
      NOTIFIER_GITLAB_TOKEN: GITLAB_TOKEN,
      NOTIFIER_WEBHOOK_CI_URL: `${api.url}/hooks/ci`,
      NOTIFIER_WEBHOOK_CI_SECRET: CI_SECRET,
      NOTIFIER_WEBHOOK_RETRY_URL: `${api.url}/hooks/retry`,
      NOTIFIER_WEBHOOK_RETRY_SECRET: CI_SECRET,
      NOTIFIER_WEBHOOK_DEAD_URL: `${api.url}/hooks/dead`,
      NOTIFIER_WEBHOOK_DEAD_SECRET: CI_SECRET,
      NOTIFIER_RETRY_BASE_MS: '300',
      NOTIFIER_RETRY_MAX_MS: '2000',
      NOTIFIER_MAX_ATTEMPTS: '3',
      NOTIFIER_HTTP_TIMEOUT_MS: '3000',
      NOTIFIER_POLL_MS: '100',
      NOTIFIER_TARGET_CONCURRENCY: '2',
      NOTIFIER_STAGE_WAIT_MS: '8000',
    });
  }, 60_000);

  afterAll(async () => {
    await notifier?.close();
    await api.stop();
    await smtp.stop();
  });

  const deliveriesOf = async (application: string) =>
    (await notifier.client.client.query(ListDeliveries, { application, limit: 200 })).deliveries;

  it('tells every channel about a failed execution: commit statuses, one Slack message, e-mail, webhooks', async () => {
    const run = new ExecutionScript(notifier, 'shop');
    await run.created({
      channels: [
        'slack:#deploys',
        'slack-webhook:alerts',
        'email:team@example.com',
        'webhook:ci',
        'github:stages',
        'gitlab:status',
      ],
      subscriptions: [],
      templates: {},
    });
    await run.started();
    await run.stage('build', 'NOT_STARTED', 'RUNNING');
    await run.stage('build', 'RUNNING', 'SUCCEEDED');
    await run.stage('test', 'NOT_STARTED', 'RUNNING');
    await run.stage('test', 'RUNNING', 'FAILED', 'npm test exited 1');
    await notifier.publish(ExecutionFailed, {
      ...run.ref,
      failedAt: run.tick(),
      durationMs: 95_000,
      failedStageId: 'test',
      reason: `stage test failed: could not push to https://deploy:${GITHUB_TOKEN}@registry.example.com (token=${SLACK_TOKEN})`,
    });

    const statuses = () => api.callsTo(new RegExp(`^/github/repos/acme/shop/statuses/${SHA}$`));
    await eventually(() => {
      const last = (context: string) =>
        statuses()
          .filter((c) => (c.body as { context: string }).context === context)
          .at(-1)?.body;
      expect(last('aviary/shop')).toMatchObject({
        state: 'failure',
        target_url: `https://aviary.example.com/executions/${run.executionId}`,
      });
      expect(last('aviary/shop/build')).toMatchObject({ state: 'success' });
      expect(last('aviary/shop/test')).toMatchObject({
        state: 'failure',
        description: 'test: failed (npm test exited 1)',
      });
    }, 20_000);
    expect(statuses()[0]!.headers.authorization).toBe(`token ${GITHUB_TOKEN}`);

    await eventually(() => {
      const gitlab = api.callsTo(/^\/gitlab\/projects\/acme%2Fshop\/statuses\//);
      expect(gitlab.at(-1)?.body).toMatchObject({ state: 'failed', name: 'aviary/shop' });
    }, 20_000);

    await eventually(() => {
      const webhook = api.callsTo(/^\/hooks\/ci$/);
      expect(webhook).toHaveLength(1);
      expect(webhook[0]!.status).toBe(204); // the receiver verified the signature
      expect(webhook[0]!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      expect(webhook[0]!.body).toMatchObject({
        specversion: '1.0',
        type: 'dev.aviary.notification.execution.failed',
        source: '/aviary/notifier',
        subject: run.executionId,
        data: {
          notification: 'execution.failed',
          application: 'shop',
          status: 'failed',
          shortSha: SHA.slice(0, 7),
        },
      });
    }, 20_000);

    await eventually(() => {
      const mails = smtp.mails.filter((m) => m.parsed.headers.get('x-aviary-execution') === run.executionId);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.to).toEqual(['team@example.com']);
      expect(mails[0]!.parsed.subject).toBe('shop: node-service failed on main (a94a8fe)');
      expect(mails[0]!.parsed.text).toContain(`https://aviary.example.com/executions/${run.executionId}`);
      expect(mails[0]!.parsed.html).toContain('<h2>shop: node-service failed on main (a94a8fe)</h2>');
    }, 20_000);

    await eventually(() => {
      const hook = api.callsTo(/^\/slack\/hooks\/alerts$/).filter((c) => c.raw.includes(run.executionId));
      expect(hook).toHaveLength(1);
      expect((hook[0]!.body as { text: string }).text).toContain(
        '*shop: node-service failed on main (a94a8fe)*',
      );
    }, 20_000);

    await eventually(() => {
      const messages = [...api.slackMessages.values()].filter((m) =>
        JSON.stringify(m.blocks).includes(run.executionId),
      );
      expect(messages).toHaveLength(1);
      expect(messages[0]!.channel).toBe('CDEPLOYS');
      expect(messages[0]!.text).toBe('shop: node-service failed on main (a94a8fe)');
      expect(JSON.stringify(messages[0]!.blocks)).toContain(':x: test');
    }, 20_000);

    // No secret reaches a channel: the reason's token and credentials were masked.
    for (const call of api.calls) {
      expect(call.raw).not.toContain(GITHUB_TOKEN);
      expect(call.raw).not.toContain(SLACK_TOKEN);
    }
    for (const mail of smtp.mails) expect(mail.parsed.text).not.toContain(GITHUB_TOKEN);
    expect(JSON.stringify(api.callsTo(/^\/hooks\/ci$/)[0]!.body)).toContain('****');

    await eventually(async () => {
      const deliveries = await deliveriesOf('shop');
      expect(deliveries.filter((d) => d.status !== 'delivered')).toEqual([]);
      expect(deliveries.find((d) => d.channel === 'webhook:ci')).toMatchObject({
        notification: 'execution.failed',
        attempts: [{ attempt: 1, outcome: 'delivered', statusCode: 204 }],
      });
    }, 20_000);
  }, 60_000);

  it('keeps one Slack message per execution, updated in place as it runs, not a flood', async () => {
    const run = new ExecutionScript(notifier, 'catalog', ['build', 'test', 'canary', 'deploy']);
    await run.created({
      channels: [],
      subscriptions: [
        { channel: 'slack:#releases', events: ['execution.started', 'execution.succeeded', 'canary.passed'] },
      ],
      templates: {},
    });
    await run.started();
    await eventually(
      () =>
        expect(api.callsTo(/chat\.postMessage$/).filter((c) => c.raw.includes(run.executionId))).toHaveLength(
          1,
        ),
      20_000,
    );
    for (const stage of run.stages) {
      await run.stage(stage, 'NOT_STARTED', 'RUNNING');
      await run.stage(stage, 'RUNNING', 'SUCCEEDED');
    }
    await notifier.publish(StageEvents.canary.completed, {
      executionId: run.executionId,
      stageId: 'canary',
      attempt: 1,
      completedAt: run.tick(),
      outputs: { score: 97.5, verdict: 'pass', reportId: `${run.executionId}/canary/1` },
    });
    await notifier.publish(ExecutionCompleted, { ...run.ref, completedAt: run.tick(), durationMs: 312_000 });

    const message = () =>
      [...api.slackMessages.values()].find((m) => JSON.stringify(m.blocks).includes(run.executionId));
    await eventually(() => {
      expect(message()?.text).toBe('catalog: node-service succeeded on main (a94a8fe) in 5m 12s');
      const blocks = JSON.stringify(message()!.blocks);
      for (const stage of run.stages) expect(blocks).toContain(`:white_check_mark: ${stage}`);
      expect(blocks).toContain('*Canary:* pass, score 97.5');
    }, 20_000);
    const posts = api.callsTo(/chat\.postMessage$/).filter((c) => c.raw.includes(run.executionId));
    const updates = api.callsTo(/chat\.update$/).filter((c) => c.raw.includes(run.executionId));
    expect(posts).toHaveLength(1);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    // Eleven events after the first post: updates are coalesced, so at most one per event.
    expect(updates.length).toBeLessThanOrEqual(11);
    expect(message()!.updates).toBe(updates.length);
  }, 60_000);

  it('renders per-application template overrides, safely, and says what settings it cannot serve', async () => {
    await notifier.publish(SetNotificationSettings, {
      application: 'billing',
      user: 'admin',
      settings: {
        channels: ['email:billing@example.com', 'slack-webhook:alerts', 'slack-webhook:nowhere'],
        subscriptions: [],
        templates: {
          'execution.failed': { title: '{{application}} broke on {{branch}}: {{reason}}' },
          'email:execution.failed': {
            title: 'BUILD BROKEN {{application}}@{{shortSha}} {{constructor.name}}{{__proto__}}',
            body: 'Stages: {{#each stages}}{{id}} {{/each}}({{failedStage}}) {{reason}}',
          },
          'canary.failed': { title: '{{#if}}' },
        },
      },
    });
    await eventually(async () => {
      const reply = await notifier.client.client.query(GetNotificationSettings, { application: 'billing' });
      expect(reply.updatedBy).toBe('admin');
      expect(reply.problems).toEqual([
        {
          channel: 'slack-webhook:nowhere',
          problem: 'no incoming webhook named nowhere: set NOTIFIER_SLACK_WEBHOOK_NOWHERE',
        },
        expect.objectContaining({ channel: 'template canary.failed' }),
      ]);
    }, 20_000);

    const run = new ExecutionScript(notifier, 'billing', ['build', 'test']);
    await run.created();
    await run.started();
    await run.stage('build', 'RUNNING', 'SUCCEEDED');
    await run.stage('test', 'RUNNING', 'FAILED');
    await notifier.publish(ExecutionFailed, {
      ...run.ref,
      failedAt: run.tick(),
      durationMs: 1000,
      reason: 'tests failed',
    });

    await eventually(() => {
      const mail = smtp.mails.find((m) => m.parsed.headers.get('x-aviary-execution') === run.executionId);
      expect(mail?.parsed.subject).toBe('BUILD BROKEN billing@a94a8fe');
      expect(mail?.parsed.text).toContain('Stages: build test () tests failed');
      const hook = api.callsTo(/^\/slack\/hooks\/alerts$/).find((c) => c.raw.includes(run.executionId));
      expect((hook?.body as { text: string } | undefined)?.text).toContain(
        '*billing broke on main: tests failed*',
      );
    }, 20_000);
    await eventually(async () => {
      const nowhere = (await deliveriesOf('billing')).find((d) => d.channel === 'slack-webhook:nowhere');
      expect(nowhere).toMatchObject({ status: 'dead', attempts: [{ outcome: 'dead' }] });
    }, 20_000);
  }, 60_000);

  it("tells the application's channels about a failed canary and the rollback that followed", async () => {
    const run = new ExecutionScript(notifier, 'ledger', ['canary', 'rollback']);
    await run.created({ channels: ['slack-webhook:alerts'], subscriptions: [], templates: {} });
    await run.started();
    await notifier.publish(StageEvents.canary.failed, {
      executionId: run.executionId,
      stageId: 'canary',
      attempt: 1,
      failedAt: run.tick(),
      error: {
        message: 'canary score 42 is not above the marginal threshold 75',
        code: 'canary-failed',
        retryable: false,
      },
      outputs: { score: 42, verdict: 'fail', reportId: `${run.executionId}/canary/1` },
    });
    await notifier.publish(ReleaseChanged, {
      releaseId: 'rel-1',
      executionId: run.executionId,
      stageId: 'rollback',
      attempt: 1,
      application: 'ledger',
      environment: 'production',
      namespace: 'prod',
      target: 'local',
      strategy: 'canary',
      state: 'rolled-back',
      image: 'registry.example.com/ledger:a94a8fe',
      previousImage: 'registry.example.com/ledger:0c1d2e3',
      detail: 'baseline and canary removed; production kept ledger:0c1d2e3',
      changedAt: run.tick(),
    });
    await eventually(() => {
      const texts = api
        .callsTo(/^\/slack\/hooks\/alerts$/)
        .filter((c) => c.raw.includes(run.executionId))
        .map((c) => (c.body as { text: string }).text);
      expect(texts).toHaveLength(2);
      expect(texts).toContainEqual(
        expect.stringContaining('*ledger: canary failed with score 42*\ncanary score 42 is not above'),
      );
      expect(texts).toContainEqual(
        expect.stringContaining('*ledger: rolled back in production*\nbaseline and canary removed'),
      );
    }, 20_000);
  }, 60_000);

  it('retries 429 (after its Retry-After) and 5xx, dead-letters after the limit, and a dead channel holds up no other', async () => {
    api.script(
      /^\/hooks\/retry$/,
      { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } },
      { status: 503, body: { error: 'unavailable' } },
    );
    api.hang(/^\/hooks\/dead$/);
    const run = new ExecutionScript(notifier, 'orders');
    await run.created({
      channels: ['webhook:retry', 'webhook:dead', 'slack-webhook:alerts'],
      subscriptions: [],
      templates: {},
    });
    const failedAt = Date.now();
    await notifier.publish(ExecutionFailed, {
      ...run.ref,
      failedAt: run.tick(),
      durationMs: 1000,
      reason: 'boom',
    });

    // The live channel is told while the dead one still hangs on its first attempt (its own slots).
    await eventually(() => {
      expect(
        api.callsTo(/^\/slack\/hooks\/alerts$/).filter((c) => c.raw.includes(run.executionId)),
      ).toHaveLength(1);
    }, 10_000);
    const whileHanging = (await deliveriesOf('orders')).find((d) => d.channel === 'webhook:dead');
    expect(whileHanging?.attempts).toEqual([]);
    expect(Date.now() - failedAt).toBeLessThan(3000);

    await eventually(async () => {
      const retried = (await deliveriesOf('orders')).find((d) => d.channel === 'webhook:retry');
      expect(retried?.status).toBe('delivered');
      expect(retried?.attempts).toMatchObject([
        { attempt: 1, outcome: 'retry', statusCode: 429, retryAfterMs: 1000 },
        { attempt: 2, outcome: 'retry', statusCode: 503 },
        { attempt: 3, outcome: 'delivered', statusCode: 204 },
      ]);
      const [first, second] = retried!.attempts;
      expect(Date.parse(second!.at) - Date.parse(first!.at)).toBeGreaterThanOrEqual(1000);
    }, 20_000);
    const calls = api.callsTo(/^\/hooks\/retry$/);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => (c.body as { id: string }).id)).size).toBe(1); // the same CloudEvent id each time

    await eventually(async () => {
      const dead = (await deliveriesOf('orders')).find((d) => d.channel === 'webhook:dead');
      expect(dead?.status).toBe('dead');
      expect(dead?.attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead']);
      expect(dead?.lastError).toMatch(/timeout/i);
    }, 30_000);
    const dead = await notifier.client.client.query(ListDeliveries, {
      application: 'orders',
      status: ['dead'],
      limit: 50,
    });
    expect(dead.deliveries.map((d) => d.channel)).toEqual(['webhook:dead']);
  }, 60_000);

  it('delivers an event the bus delivers twice only once', async () => {
    const run = new ExecutionScript(notifier, 'search');
    await run.created({
      channels: ['webhook:ci', 'email:search@example.com'],
      subscriptions: [],
      templates: {},
    });
    const envelope = await notifier.publish(ExecutionFailed, {
      ...run.ref,
      failedAt: run.tick(),
      durationMs: 10,
      reason: 'x',
    });
    // Past the test bus's duplicate window, JetStream takes the same envelope again: a redelivery.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await notifier.client.client.publishEnvelope(ExecutionFailed.subject, envelope);
    await eventually(async () => {
      const metrics = await (await fetch(`${notifier.service.url}/metrics`)).text();
      const received = new RegExp(
        `aviary_bus_messages_received_total\\{[^}]*subject="${ExecutionFailed.subject.replace(/\./g, '\\.')}"[^}]*\\} (\\d+)`,
      ).exec(metrics);
      expect(Number(received?.[1])).toBeGreaterThanOrEqual(2);
      expect(
        smtp.mails.filter((m) => m.parsed.headers.get('x-aviary-execution') === run.executionId),
      ).toHaveLength(1);
      expect(api.callsTo(/^\/hooks\/ci$/).filter((c) => c.raw.includes(run.executionId))).toHaveLength(1);
    }, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.callsTo(/^\/hooks\/ci$/).filter((c) => c.raw.includes(run.executionId))).toHaveLength(1);
  }, 60_000);

  it('runs notify stages: completed with what was delivered and what failed, never held up by a dead channel', async () => {
    const run = new ExecutionScript(notifier, 'payments');
    await run.created();
    const seen: Envelope[] = [];
    const feed = await notifier.client.client.subscribeEvents('aviary.evt.stage.notifier.>');
    void (async () => {
      for await (const event of feed) seen.push(event.envelope);
    })();
    const command = (stageId: string, settings: Record<string, unknown>): StageCommandData => ({
      executionId: run.executionId,
      stageId,
      attempt: 1,
      application: 'payments',
      stageType: 'notify',
      trigger: run.ref.trigger,
      settings,
      inputs: {},
      deadline: new Date(Date.now() + 120_000).toISOString(),
    });
    const result = (stageId: string) =>
      eventuallyFound(
        `the result of stage ${stageId}`,
        () =>
          seen.find(
            (e) =>
              (e.data as { stageId: string }).stageId === stageId && /\.(completed|failed)\.v1$/.test(e.type),
          ),
        20_000,
      );
    try {
      const started = Date.now();
      await notifier.publish(
        StageCommands.notifier['notify-stage'],
        command('notify', {
          channels: ['webhook:ci', 'slack-webhook:gone', 'webhook:dead'],
          message: 'Released {{shortSha}} of {{application}}',
        }),
      );
      const done = await result('notify');
      expect(done.type).toBe(StageEvents.notifier.completed.type);
      expect(done.data).toMatchObject({
        outputs: {
          delivered: ['webhook:ci'],
          failed: [{ channel: 'slack-webhook:gone', error: expect.stringMatching(/^HTTP 404/) }],
          pending: ['webhook:dead'],
        },
      });
      // The wait (NOTIFIER_STAGE_WAIT_MS) bounds how long a dead channel can hold the stage.
      expect(Date.now() - started).toBeLessThan(20_000);
      const posted = api.callsTo(/^\/hooks\/ci$/).find((c) => c.raw.includes(run.executionId));
      expect(posted?.body).toMatchObject({
        type: 'dev.aviary.notification.notify',
        data: { message: 'Released a94a8fe of payments' },
      });
      expect(seen.filter((e) => e.type === StageEvents.notifier.started.type)).toHaveLength(1);

      await notifier.publish(
        StageCommands.notifier['notify-stage'],
        command('strict', { channels: ['slack-webhook:gone'], failOnError: true }),
      );
      const strict = await result('strict');
      expect(strict.type).toBe(StageEvents.notifier.failed.type);
      expect(strict.data).toMatchObject({
        error: { code: 'notification-failed', message: expect.stringContaining('slack-webhook:gone') },
      });
    } finally {
      feed.close();
    }
  }, 60_000);
});
