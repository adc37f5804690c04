import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type DataOf, GiveJudgment, JudgmentGiven, JudgmentRequested } from '@aviary/events';
import { BusClient, createJetStreamBus, type Bus } from '@aviary/messaging';
import { dropSchema, eventually, freePort } from '@aviary/test-support';
import { pino } from 'pino';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPeer } from '../testing/api-peer.js';
import { ExecutionScript, type NotifierUnderTest, startNotifier } from '../testing/notifier-harness.js';

const SLACK_TOKEN = 'xoxb-3333333333-4444444444-judgmenttestslacktoken';
const SIGNING_SECRET = 'slack-signing-secret-for-the-round-trip';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

const judgments: Array<DataOf<typeof GiveJudgment>> = [];

/** The orchestrator's part: records a judgment and announces it, as the real one does. */
@Controller()
class OrchestratorStub {
  constructor(private readonly bus: BusClient) {}

  @EventPattern<string>(GiveJudgment.subject)
  async judge(@Payload() command: DataOf<typeof GiveJudgment>): Promise<void> {
    judgments.push(command);
    await this.bus.publish(JudgmentGiven, { ...command, decidedAt: new Date().toISOString() });
  }
}

/** A Slack button press as Slack sends it: form-encoded `payload`, signed with the app's signing secret. */
function slackRequest(
  user: { id: string; username: string },
  action: 'approve' | 'reject',
  value: string,
  message: { channel: string; ts: string },
) {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { ...user, name: user.username },
    channel: { id: message.channel },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel },
    message: { ts: message.ts },
    actions: [{ type: 'button', action_id: `aviary.judgment.${action}`, value, action_ts: '1700000001.0' }],
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  };
}

/**
 * The judgment round trip: a Slack button press -> the gateway (its own process, checking the
 * signature) -> the bus -> the notifier (role check) -> GiveJudgment -> the orchestrator stub ->
 * JudgmentGiven -> the Slack message updated; and a judgment given in the UI updating it too.
 */
describe('manual judgments from Slack', () => {
  let notifier: NotifierUnderTest;
  let gateway: { child: ChildProcess; url: string; output: string[] };
  let orchestratorBus: Bus;
  let orchestrator: INestMicroservice;
  const api = new ApiPeer({ slackToken: SLACK_TOKEN });

  beforeAll(async () => {
    await api.start();
    notifier = await startNotifier({
      NOTIFIER_SLACK_API_URL: `${api.url}/slack/api`,
      NOTIFIER_SLACK_TOKEN: SLACK_TOKEN,
      NOTIFIER_SLACK_USERS: 'U0DEPLOYER=deployer, U0VIEWER=viewer, U0LEAD=admin',
      NOTIFIER_POLL_MS: '100',
    });
    const main = join(root, 'services', 'gateway', 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
    const port = await freePort();
    const output: string[] = [];
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env['PATH'],
        NATS_URL: notifier.natsUrl,
        DATABASE_URL: notifier.databaseUrl,
        AVIARY_SUBJECT_ROOT: notifier.subjectRoot,
        AVIARY_STREAM_PREFIX: notifier.streamPrefix,
        AVIARY_SCHEMA_PREFIX: notifier.schemaPrefix,
        GATEWAY_PORT: String(port),
        AVIARY_ENV: 'test',
        AVIARY_ADMIN_TOKEN: 'judgment-test-admin-token-0123456789',
        AVIARY_SLACK_SIGNING_SECRET: SIGNING_SECRET,
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    gateway = { child, url: `http://127.0.0.1:${port}`, output };
    orchestratorBus = createJetStreamBus({
      service: 'orchestrator',
      servers: notifier.natsUrl,
      subjectRoot: notifier.subjectRoot,
      streamPrefix: notifier.streamPrefix,
      logger: pino({ level: 'silent' }),
    });
    @Module({
      controllers: [OrchestratorStub],
      providers: [{ provide: BusClient, useValue: orchestratorBus.client }],
    })
    class OrchestratorStubModule {}
    orchestrator = await NestFactory.createMicroservice(OrchestratorStubModule, {
      strategy: orchestratorBus.server,
      logger: false,
    });
    await orchestrator.listen();
    await eventually(async () => {
      if (!orchestratorBus.health().ready) throw new Error(orchestratorBus.health().detail);
      const health = await fetch(`${gateway.url}/health`);
      if (health.status !== 200) throw new Error(`gateway not ready: ${await health.text()}`);
    }, 30_000);
  }, 90_000);

  afterAll(async () => {
    await orchestrator?.close();
    await orchestratorBus?.close();
    if (gateway && gateway.child.exitCode === null) {
      const exited = new Promise((resolve) => gateway.child.once('exit', resolve));
      gateway.child.kill('SIGTERM');
      await exited;
    }
    await notifier?.close();
    await dropSchema(notifier.databaseUrl, `${notifier.schemaPrefix}gateway`).catch(() => undefined);
    await api.stop();
  });

  const messageOf = (executionId: string) =>
    [...api.slackMessages.values()].find((m) => JSON.stringify(m.blocks).includes(executionId));
  const hasButtons = (executionId: string) =>
    JSON.stringify(messageOf(executionId)?.blocks ?? []).includes('aviary.judgment.approve');

  async function pausedAtJudgment(application: string): Promise<ExecutionScript> {
    const run = new ExecutionScript(notifier, application, ['build', 'judge', 'deploy']);
    await run.created({ channels: ['slack:#deploys'], subscriptions: [], templates: {} });
    await run.started();
    await run.stage('build', 'RUNNING', 'SUCCEEDED');
    await notifier.publish(JudgmentRequested, {
      executionId: run.executionId,
      stageId: 'judge',
      application,
      instructions: 'Check the canary dashboard before approving.',
      allowedRoles: [],
    });
    await eventually(() => expect(hasButtons(run.executionId)).toBe(true), 20_000);
    return run;
  }

  it('takes Approve from a deployer in Slack through the gateway, refuses a viewer, and updates the message', async () => {
    const run = await pausedAtJudgment('shop');
    const message = messageOf(run.executionId)!;
    expect(message.text).toBe('shop: judge waits for a manual judgment');
    const actions = (
      message.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>
    ).find(
      (b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'aviary.judgment.approve'),
    )!;
    const value = actions.elements![0]!.value!;

    const viewer = await fetch(
      `${gateway.url}/slack/interactions`,
      slackRequest({ id: 'U0VIEWER', username: 'victor' }, 'approve', value, message),
    );
    expect(viewer.status).toBe(200);
    await eventually(() => {
      const told = api
        .callsTo(/chat\.postEphemeral$/)
        .find((c) => (c.body as { user: string }).user === 'U0VIEWER');
      expect((told?.body as { text: string } | undefined)?.text).toMatch(
        /has the role viewer; deployer or admin is needed/,
      );
    }, 20_000);
    expect(judgments).toHaveLength(0);
    expect(hasButtons(run.executionId)).toBe(true);

    const deployer = await fetch(
      `${gateway.url}/slack/interactions`,
      slackRequest({ id: 'U0DEPLOYER', username: 'alice' }, 'approve', value, message),
    );
    expect(deployer.status).toBe(200);
    await eventually(() => {
      expect(judgments).toEqual([
        {
          executionId: run.executionId,
          stageId: 'judge',
          decision: 'approve',
          user: 'slack:alice',
          via: 'slack',
        },
      ]);
      expect(hasButtons(run.executionId)).toBe(false);
      expect(JSON.stringify(messageOf(run.executionId)!.blocks)).toContain(
        ':white_check_mark: Approved judge by slack:alice via slack',
      );
    }, 20_000);

    // A second press on the stale message is told the judgment is decided; nothing is sent again.
    await fetch(
      `${gateway.url}/slack/interactions`,
      slackRequest({ id: 'U0LEAD', username: 'lee' }, 'reject', value, message),
    );
    await eventually(() => {
      const told = api
        .callsTo(/chat\.postEphemeral$/)
        .find((c) => (c.body as { user: string }).user === 'U0LEAD');
      expect((told?.body as { text: string } | undefined)?.text).toBe(
        'This judgment was already decided: approved by slack:alice.',
      );
    }, 20_000);
    expect(judgments).toHaveLength(1);
    expect(api.callsTo(/chat\.postMessage$/).filter((c) => c.raw.includes(run.executionId))).toHaveLength(1);
  }, 60_000);

  it('updates the Slack message when the judgment is given in the UI', async () => {
    const run = await pausedAtJudgment('catalog');
    await notifier.publish(JudgmentGiven, {
      executionId: run.executionId,
      stageId: 'judge',
      decision: 'reject',
      user: 'bob',
      comment: 'error rate too high',
      via: 'ui',
      decidedAt: new Date().toISOString(),
    });
    await eventually(() => {
      expect(hasButtons(run.executionId)).toBe(false);
      expect(JSON.stringify(messageOf(run.executionId)!.blocks)).toContain(
        ':x: Rejected judge by bob via ui: error rate too high',
      );
    }, 20_000);
  }, 60_000);
});
