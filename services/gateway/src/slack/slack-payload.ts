import { type DataOf, type SlackInteraction } from '@aviary/events';
import { z } from 'zod';

/** The part of a `block_actions` interaction payload the notifier needs. */
const BlockActions = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: z.string().min(1) }).nullish(),
  user: z.object({
    id: z.string().min(1),
    username: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
  }),
  channel: z.object({ id: z.string().min(1) }).nullish(),
  container: z.object({ message_ts: z.string().min(1).optional() }).nullish(),
  message: z.object({ ts: z.string().min(1) }).nullish(),
  actions: z
    .array(z.object({ action_id: z.string().min(1).max(255), value: z.string().max(2000).optional() }))
    .min(1),
});

export type ParsedInteraction =
  | { kind: 'actions'; commands: Array<DataOf<typeof SlackInteraction>> }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; problem: string };

/**
 * Reads Slack's `application/x-www-form-urlencoded` body (`payload=<JSON>`): each button pressed
 * becomes a SlackInteraction command; other interaction types are acknowledged and ignored.
 */
export function parseInteraction(body: Buffer, receivedAt: Date): ParsedInteraction {
  const payload = new URLSearchParams(body.toString('utf8')).get('payload');
  if (payload === null) return { kind: 'invalid', problem: 'the body has no payload field' };
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { kind: 'invalid', problem: 'the payload is not JSON' };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== 'block_actions') return { kind: 'ignored', type: typeof type === 'string' ? type : 'unknown' };
  const parsed = BlockActions.safeParse(json);
  if (!parsed.success)
    return { kind: 'invalid', problem: `not a block_actions payload: ${z.prettifyError(parsed.error)}` };
  const p = parsed.data;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  return {
    kind: 'actions',
    commands: p.actions.map((action) => ({
      ...(p.team ? { teamId: p.team.id } : {}),
      user: {
        id: p.user.id,
        ...(p.user.username ? { username: p.user.username } : {}),
        ...(p.user.name ? { name: p.user.name } : {}),
      },
      ...(p.channel ? { channelId: p.channel.id } : {}),
      ...(messageTs ? { messageTs } : {}),
      actionId: action.action_id,
      value: action.value ?? '',
      receivedAt: receivedAt.toISOString(),
    })),
  };
}
