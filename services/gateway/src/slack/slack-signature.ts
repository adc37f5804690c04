import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a signed request may be: Slack's own advice, against replays. */
export const SLACK_TOLERANCE_SECONDS = 5 * 60;

/** `v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">`, as Slack signs. */
export function signSlackRequest(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

/**
 * Why a request does not come from Slack, or undefined when it does: the timestamp within five
 * minutes of now, the signature over the exact bytes received, compared in constant time.
 */
export function slackSignatureProblem(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return 'X-Slack-Request-Timestamp and X-Slack-Signature are required';
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Slack-Request-Timestamp is not a Unix time';
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_TOLERANCE_SECONDS)
    return 'the request is older than five minutes (or from the future): refused as a possible replay';
  const expected = Buffer.from(signSlackRequest(secret, timestamp, body));
  const given = Buffer.from(signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'the Slack signature does not match';
  return undefined;
}
