import { SUBJECT_ROOT, type MessageKind } from '@aviary/events';

const AREAS: Record<string, MessageKind> = { cmd: 'command', evt: 'event', qry: 'query' };

/**
 * What kind of message a handler pattern receives, from its second token: `aviary.cmd.>` commands,
 * `aviary.evt.>` events, `aviary.qry.>` queries. Throws on a pattern the transport cannot route.
 */
export function kindOfPattern(pattern: string): MessageKind {
  const tokens = pattern.split('.');
  if (tokens[0] !== SUBJECT_ROOT)
    throw new Error(
      `handler pattern "${pattern}" must be a canonical subject starting with "${SUBJECT_ROOT}."`,
    );
  const kind = AREAS[tokens[1] ?? ''];
  if (!kind || tokens.length < 3)
    throw new Error(`handler pattern "${pattern}" must start with ${SUBJECT_ROOT}.cmd, .evt or .qry`);
  if (tokens.some((token, i) => token === '' || (token === '>' && i !== tokens.length - 1)))
    throw new Error(`handler pattern "${pattern}" is not a valid NATS subject`);
  return kind;
}

/**
 * Durable consumer name for one handler pattern of one service: stable across restarts and replicas
 * (so replicas share it), unique per pattern, and free of the characters NATS forbids in names.
 */
export function consumerName(service: string, pattern: string): string {
  const path = pattern
    .slice(SUBJECT_ROOT.length + 1)
    .split('.')
    .map((token) => (token === '*' ? 'STAR' : token === '>' ? 'REST' : token))
    .join('_');
  return `${service}__${path}`;
}
