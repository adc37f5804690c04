import { describe, expect, it } from '@jest/globals';
import { loadNotifierConfig } from '../config/notifier-config.js';
import { channelProblem, parseChannel } from './channel-target.js';
import { repositoryPath } from './commit-status.js';
import { signWebhook, verifyWebhook } from './webhook/cloudevent-signature.js';

describe('channel targets', () => {
  it('parses every kind and refuses what is not one', () => {
    expect(parseChannel('slack:#deploys')).toEqual({ kind: 'slack', channel: '#deploys' });
    expect(parseChannel('email:a@example.com, b@example.com')).toEqual({
      kind: 'email',
      to: ['a@example.com', 'b@example.com'],
    });
    expect(parseChannel('webhook:https://ci.example.com/hook')).toEqual({
      kind: 'webhook',
      url: 'https://ci.example.com/hook',
    });
    expect(parseChannel('webhook:ci')).toEqual({ kind: 'webhook', name: 'ci' });
    expect(parseChannel('github:stages')).toEqual({ kind: 'github', stages: true });
    expect(() => parseChannel('email:nobody')).toThrow('"nobody" is not an e-mail address');
    expect(() => parseChannel('github:everything')).toThrow('github:status, or github:stages');
    expect(() => parseChannel('pager:x')).toThrow('unknown kind pager');
  });

  it('names the variable a channel lacks, and finds named credentials', () => {
    const config = loadNotifierConfig({
      NOTIFIER_SLACK_WEBHOOK_OPS_ALERTS: 'https://hooks.slack.com/services/T/B/x',
      NOTIFIER_WEBHOOK_CI_URL: 'https://ci.example.com/hook',
      NOTIFIER_WEBHOOK_CI_SECRET: 'a-secret-of-sixteen-chars',
    });
    expect(channelProblem('slack-webhook:ops-alerts', config)).toBeUndefined();
    expect(channelProblem('webhook:ci', config)).toBeUndefined();
    expect(channelProblem('slack:#x', config)).toBe('no Slack bot token: set NOTIFIER_SLACK_TOKEN');
    expect(channelProblem('webhook:https://x.example.com', config)).toMatch(/NOTIFIER_WEBHOOK_SECRET/);
    expect(channelProblem('email:a@example.com', config)).toBe('no SMTP server: set NOTIFIER_SMTP_URL');
    expect(() => loadNotifierConfig({ NOTIFIER_WEBHOOK_CI_URL: 'https://ci.example.com' })).toThrow(
      'NOTIFIER_WEBHOOK_CI_URL is set without NOTIFIER_WEBHOOK_CI_SECRET',
    );
    expect(() => loadNotifierConfig({ NOTIFIER_SLACK_USERS: 'U1=owner' })).toThrow(
      '"U1=owner" is not <slack user id>=viewer|deployer|admin',
    );
  });

  it('finds the repository path in https, ssh and short references', () => {
    expect(repositoryPath('https://github.com/acme/shop.git')).toBe('acme/shop');
    expect(repositoryPath('git@gitlab.com:group/sub/project.git')).toBe('group/sub/project');
    expect(repositoryPath('acme/shop')).toBe('acme/shop');
    expect(repositoryPath('shop')).toBeUndefined();
  });

  it('signs webhooks so that a receiver can verify them, and refuses a replay', () => {
    const body = '{"id":"1"}';
    const header = signWebhook('a-secret-of-sixteen-chars', body, 1_700_000_000);
    expect(verifyWebhook('a-secret-of-sixteen-chars', body, header, 300, 1_700_000_100)).toBe(true);
    expect(verifyWebhook('a-secret-of-sixteen-chars', `${body} `, header, 300, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('another-secret-sixteen', body, header, 300, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('a-secret-of-sixteen-chars', body, header, 300, 1_700_000_400)).toBe(false);
  });
});
