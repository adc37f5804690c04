import { type NotificationSettings } from '@aviary/events';
import { type Channel, channelProblem, parseChannel } from '../channels/channel-target.js';
import { commitStatusOf } from '../channels/commit-status.js';
import { EmailSender } from '../channels/email/email-sender.js';
import { GithubStatuses } from '../channels/github/github-status.js';
import { sendGitlabStatus } from '../channels/gitlab/gitlab-status.js';
import { HttpPoster } from '../channels/http.js';
import { SlackApi } from '../channels/slack/slack-api.js';
import { currentEvent, slackExecutionMessage } from '../channels/slack/slack-message.js';
import { type SlackMessageStore } from '../channels/slack/slack-message-store.js';
import { sendSlackWebhook } from '../channels/slack/slack-webhook-sender.js';
import { sendWebhook } from '../channels/webhook/webhook-sender.js';
import { type NotifierConfig } from '../config/notifier-config.js';
import { type ExecutionSnapshot } from '../executions/execution-snapshot.js';
import { type ExecutionStore } from '../executions/execution-store.js';
import { type SettingsStore } from '../subscriptions/settings-store.js';
import { effectiveSettings } from '../subscriptions/subscriptions.js';
import { escapeSlack, renderMessage } from '../templates/templates.js';
import { buildView } from '../templates/view.js';
import { type ClaimedDelivery, type DeliveryLog } from './delivery-log.js';
import { type SendOutcome } from './retry-policy.js';

/** A delivery could not run now (its Slack message is being updated by another): try again shortly. */
export const BUSY = 'busy' as const;

const refused = (error: string): SendOutcome => ({ ok: false, retryable: false, error });

/** Sends one delivery to its channel, whatever the kind. */
export class ChannelSenders {
  readonly http: HttpPoster;
  readonly slack?: SlackApi;
  private readonly github?: GithubStatuses;
  private email?: EmailSender;

  constructor(
    private readonly config: NotifierConfig,
    private readonly stores: {
      executions: ExecutionStore;
      settings: SettingsStore;
      slackMessages: SlackMessageStore;
      log: DeliveryLog;
    },
  ) {
    this.http = new HttpPoster(config.delivery.httpTimeoutMs);
    if (config.slack.token) this.slack = new SlackApi(this.http, config.slack.apiUrl, config.slack.token);
    if (config.github.token || config.github.app)
      this.github = new GithubStatuses({ ...config.github, timeoutMs: config.delivery.httpTimeoutMs });
  }

  async send(delivery: ClaimedDelivery): Promise<SendOutcome | typeof BUSY> {
    const problem = channelProblem(delivery.target, this.config);
    if (problem) return refused(problem);
    const channel = parseChannel(delivery.target);
    const payload = delivery.payload;
    if (payload.mode === 'slack-sync') return this.syncSlack(delivery, channel);
    if (payload.mode === 'status') return this.sendStatus(delivery, channel, payload.stageId);
    const message = payload.message;
    switch (channel.kind) {
      case 'slack-webhook':
        return sendSlackWebhook(this.http, this.config.slack.webhooks[channel.name]!, message);
      case 'slack': {
        const text = `*${message.title}*${message.body ? `\n${message.body}` : ''}\n<${message.view.url}|${escapeSlack(message.view.executionId)}>`;
        return (await this.slack!.postMessage(channel.channel, { text })).outcome;
      }
      case 'email':
        this.email ??= new EmailSender(
          this.config.smtp!.url,
          this.config.smtp!.from,
          this.config.delivery.httpTimeoutMs,
        );
        return this.email.send(delivery.id, channel.to, message);
      case 'webhook': {
        const endpoint =
          'url' in channel
            ? { url: channel.url, secret: this.config.webhooks.defaultSecret! }
            : this.config.webhooks.endpoints[channel.name]!;
        return sendWebhook(this.http, endpoint, {
          id: delivery.id,
          notification: delivery.notification,
          ...(delivery.executionId ? { executionId: delivery.executionId } : {}),
          message,
        });
      }
      default:
        return refused(`${delivery.target} takes commit statuses, not messages`);
    }
  }

  private async settingsOf(snapshot: ExecutionSnapshot): Promise<NotificationSettings> {
    const api = await this.stores.settings.get(snapshot.application);
    return effectiveSettings(snapshot.notifications, api?.settings, this.config.defaultChannels);
  }

  /** The execution's one message in the channel: posted the first time, updated in place after. */
  private async syncSlack(delivery: ClaimedDelivery, channel: Channel): Promise<SendOutcome | typeof BUSY> {
    if (channel.kind !== 'slack' || !delivery.executionId) return refused('not a Slack execution message');
    const { executions, slackMessages, log } = this.stores;
    const executionId = delivery.executionId;
    const held = await slackMessages.acquire(executionId, delivery.target, this.config.delivery.leaseMs);
    if (!held) return BUSY;
    let posted: { channelId: string; ts: string } | undefined;
    try {
      // Read before the snapshot: whatever these deliveries announce is in the message sent below.
      const covered = await log.pendingFor(executionId, delivery.target, delivery.id);
      const snapshot = await executions.get(executionId);
      if (!snapshot)
        return { ok: false, retryable: true, error: `execution ${executionId} is not known yet` };
      const settings = await this.settingsOf(snapshot);
      const event = currentEvent(snapshot);
      const view = buildView(snapshot, { uiUrl: this.config.uiUrl, event });
      const rendered = renderMessage(event, 'slack', view, settings.templates, escapeSlack);
      const message = slackExecutionMessage(snapshot, view, rendered);
      const slack = this.slack!;
      let reply =
        held.channelId && held.ts ? await slack.update(held.channelId, held.ts, message) : undefined;
      if (!reply || reply.slackError === 'message_not_found' || reply.slackError === 'cant_update_message') {
        reply = await slack.postMessage(channel.channel, message);
        if (reply.outcome.ok && reply.channel && reply.ts)
          posted = { channelId: reply.channel, ts: reply.ts };
      }
      if (reply.outcome.ok) await log.coalesce(covered, delivery.id);
      return reply.outcome;
    } finally {
      await slackMessages.release(executionId, delivery.target, posted);
    }
  }

  private async sendStatus(
    delivery: ClaimedDelivery,
    channel: Channel,
    stageId?: string,
  ): Promise<SendOutcome> {
    if ((channel.kind !== 'github' && channel.kind !== 'gitlab') || !delivery.executionId)
      return refused('not a commit status channel');
    const snapshot = await this.stores.executions.get(delivery.executionId);
    if (!snapshot?.trigger)
      return {
        ok: false,
        retryable: true,
        error: `the commit of execution ${delivery.executionId} is not known yet`,
      };
    const settings = await this.settingsOf(snapshot);
    const status = commitStatusOf(snapshot, settings, this.config.uiUrl, channel.kind, stageId);
    if (!status) return refused(`stage ${stageId ?? ''} is not part of execution ${delivery.executionId}`);
    if (channel.kind === 'github') return this.github!.send(status);
    return sendGitlabStatus(
      this.http,
      { apiUrl: this.config.gitlab.apiUrl, token: this.config.gitlab.token! },
      status,
    );
  }

  async close(): Promise<void> {
    this.email?.close();
    await this.http.close();
  }
}
