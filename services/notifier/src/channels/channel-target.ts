import { type NotifierConfig } from '../config/notifier-config.js';

/** A channel target (`kind:address`) as the notifier serves it. */
export type Channel =
  | { kind: 'slack'; channel: string }
  | { kind: 'slack-webhook'; name: string }
  | { kind: 'email'; to: string[] }
  | { kind: 'webhook'; name: string }
  | { kind: 'webhook'; url: string }
  | { kind: 'github'; stages: boolean }
  | { kind: 'gitlab'; stages: boolean };

export type ChannelKind = Channel['kind'];

/** How a channel is served: one message per event, one Slack message per execution, or a commit status. */
export type DeliveryMode = 'message' | 'slack-sync' | 'status';

export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';
}

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/;
const NAME = /^[a-z0-9][a-z0-9-]*$/;

export function parseChannel(target: string): Channel {
  const colon = target.indexOf(':');
  const kind = target.slice(0, colon);
  const address = target.slice(colon + 1).trim();
  if (colon < 1 || !address) throw new InvalidChannelError(`"${target}" is not kind:address`);
  switch (kind) {
    case 'slack':
      if (!/^#?[A-Za-z0-9._-]+$/.test(address))
        throw new InvalidChannelError(`"${target}": a Slack channel is #name or a channel id`);
      return { kind, channel: address };
    case 'slack-webhook':
      if (!NAME.test(address))
        throw new InvalidChannelError(`"${target}": name an incoming webhook configured on the notifier`);
      return { kind, name: address };
    case 'email': {
      const to = address.split(',').map((a) => a.trim());
      const bad = to.find((a) => !EMAIL.test(a));
      if (bad !== undefined) throw new InvalidChannelError(`"${target}": "${bad}" is not an e-mail address`);
      return { kind, to };
    }
    case 'webhook':
      if (/^https?:\/\//.test(address)) {
        if (!URL.canParse(address)) throw new InvalidChannelError(`"${target}": not a URL`);
        return { kind, url: address };
      }
      if (!NAME.test(address))
        throw new InvalidChannelError(
          `"${target}": name a webhook configured on the notifier, or give its URL`,
        );
      return { kind, name: address };
    case 'github':
    case 'gitlab':
      if (address !== 'status' && address !== 'stages')
        throw new InvalidChannelError(
          `"${target}": ${kind}:status, or ${kind}:stages for a status per stage too`,
        );
      return { kind, stages: address === 'stages' };
    default:
      throw new InvalidChannelError(
        `"${target}": unknown kind ${kind} (slack, slack-webhook, email, webhook, github, gitlab)`,
      );
  }
}

export function modeOf(channel: Channel): DeliveryMode {
  if (channel.kind === 'slack') return 'slack-sync';
  if (channel.kind === 'github' || channel.kind === 'gitlab') return 'status';
  return 'message';
}

/** Why the notifier cannot serve this channel as configured, or undefined when it can. */
export function channelProblem(target: string, config: NotifierConfig): string | undefined {
  let channel: Channel;
  try {
    channel = parseChannel(target);
  } catch (error) {
    return (error as Error).message;
  }
  switch (channel.kind) {
    case 'slack':
      return config.slack.token ? undefined : 'no Slack bot token: set NOTIFIER_SLACK_TOKEN';
    case 'slack-webhook':
      return config.slack.webhooks[channel.name]
        ? undefined
        : `no incoming webhook named ${channel.name}: set NOTIFIER_SLACK_WEBHOOK_${envName(channel.name)}`;
    case 'email':
      return config.smtp ? undefined : 'no SMTP server: set NOTIFIER_SMTP_URL';
    case 'webhook':
      if ('url' in channel)
        return config.webhooks.defaultSecret
          ? undefined
          : 'webhooks to a URL are signed with NOTIFIER_WEBHOOK_SECRET, which is not set';
      return config.webhooks.endpoints[channel.name]
        ? undefined
        : `no webhook named ${channel.name}: set NOTIFIER_WEBHOOK_${envName(channel.name)}_URL and _SECRET`;
    case 'github':
      return config.github.token || config.github.app
        ? undefined
        : 'no GitHub credentials: set NOTIFIER_GITHUB_TOKEN or NOTIFIER_GITHUB_APP_ID and NOTIFIER_GITHUB_APP_PRIVATE_KEY';
    case 'gitlab':
      return config.gitlab.token ? undefined : 'no GitLab token: set NOTIFIER_GITLAB_TOKEN';
  }
}

const envName = (name: string) => name.toUpperCase().replace(/-/g, '_');
