import { describe, expect, it } from '@jest/globals';
import { parseInteraction } from './slack-payload.js';
import { signSlackRequest, slackSignatureProblem } from './slack-signature.js';

// The example from Slack's documentation of request signing.
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const timestamp = '1531420618';
const body = Buffer.from(
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
);

describe("Slack's request signature", () => {
  it("matches Slack's documented example", () => {
    expect(signSlackRequest(secret, timestamp, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
    const signature = signSlackRequest(secret, timestamp, body);
    expect(slackSignatureProblem(secret, { timestamp, signature }, body, 1531420618 + 60)).toBeUndefined();
  });

  it('refuses another secret, another body, a stale or future timestamp, and missing headers', () => {
    const signature = signSlackRequest(secret, timestamp, body);
    const now = 1531420618;
    expect(slackSignatureProblem('another', { timestamp, signature }, body, now)).toBe(
      'the Slack signature does not match',
    );
    expect(slackSignatureProblem(secret, { timestamp, signature }, Buffer.from('x'), now)).toBe(
      'the Slack signature does not match',
    );
    expect(slackSignatureProblem(secret, { timestamp, signature }, body, now + 301)).toMatch(
      /older than five minutes/,
    );
    expect(slackSignatureProblem(secret, { timestamp, signature }, body, now - 301)).toMatch(
      /older than five minutes/,
    );
    expect(slackSignatureProblem(secret, { timestamp: undefined, signature }, body, now)).toMatch(/required/);
    expect(slackSignatureProblem(secret, { timestamp: 'yesterday', signature }, body, now)).toMatch(
      /not a Unix time/,
    );
  });

  it('turns each button of a block_actions payload into a command', () => {
    const payload = {
      type: 'block_actions',
      user: { id: 'U1', username: 'alice' },
      channel: { id: 'C1' },
      message: { ts: '1.2' },
      actions: [{ action_id: 'aviary.judgment.reject', value: 'v' }],
    };
    const parsed = parseInteraction(
      Buffer.from(`payload=${encodeURIComponent(JSON.stringify(payload))}`),
      new Date(0),
    );
    expect(parsed).toEqual({
      kind: 'actions',
      commands: [
        {
          user: { id: 'U1', username: 'alice' },
          channelId: 'C1',
          messageTs: '1.2',
          actionId: 'aviary.judgment.reject',
          value: 'v',
          receivedAt: '1970-01-01T00:00:00.000Z',
        },
      ],
    });
    expect(parseInteraction(Buffer.from('nothing=here'), new Date())).toEqual({
      kind: 'invalid',
      problem: 'the body has no payload field',
    });
  });
});
