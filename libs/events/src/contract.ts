import { type z } from 'zod';
import { buildEnvelope, type Envelope, type EnvelopeMeta } from './envelope.js';

/** The first token of every canonical subject; a deployment (or a test) may run under another root. */
export const SUBJECT_ROOT = 'aviary';

export type MessageKind = 'command' | 'event' | 'query';

/**
 * One value per message, imported by both the publisher and the handler so that the subject, the
 * version and the payload type cannot drift apart.
 */
export interface MessageContract<S extends z.ZodType = z.ZodType> {
  readonly kind: 'command' | 'event';
  /** Canonical subject, rooted at `aviary`. */
  readonly subject: string;
  /** CloudEvents `type`, versioned: `dev.aviary.<subject without root>`. */
  readonly type: string;
  readonly version: number;
  readonly description: string;
  readonly schema: S;
}

export interface QueryContract<Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly kind: 'query';
  readonly subject: string;
  readonly type: string;
  readonly replyType: string;
  readonly version: number;
  readonly description: string;
  readonly schema: Q;
  readonly replySchema: R;
}

export type AnyContract = MessageContract | QueryContract;

export type DataOf<C extends { schema: z.ZodType }> = z.infer<C['schema']>;
export type ReplyOf<C extends QueryContract> = z.infer<C['replySchema']>;

const SUBJECT_TOKEN = /^[a-z0-9][a-z0-9-]*$/;

function canonicalSubject(kind: MessageKind, path: string, version: number): string {
  const tokens = path.split('.');
  for (const token of tokens) {
    if (!SUBJECT_TOKEN.test(token)) throw new Error(`invalid subject token "${token}" in "${path}"`);
  }
  const area = kind === 'command' ? 'cmd' : kind === 'event' ? 'evt' : 'qry';
  return `${SUBJECT_ROOT}.${area}.${path}.v${version}`;
}

function typeOf(subject: string): string {
  return `dev.${subject}`;
}

interface Definition<S extends z.ZodType> {
  /** Dotted path after the kind, e.g. `builder.run` or `execution.created`. */
  path: string;
  version?: number;
  description: string;
  schema: S;
}

export function defineCommand<S extends z.ZodType>(def: Definition<S>): MessageContract<S> {
  const version = def.version ?? 1;
  const subject = canonicalSubject('command', def.path, version);
  return {
    kind: 'command',
    subject,
    type: typeOf(subject),
    version,
    description: def.description,
    schema: def.schema,
  };
}

export function defineEvent<S extends z.ZodType>(def: Definition<S>): MessageContract<S> {
  const version = def.version ?? 1;
  const subject = canonicalSubject('event', def.path, version);
  return {
    kind: 'event',
    subject,
    type: typeOf(subject),
    version,
    description: def.description,
    schema: def.schema,
  };
}

export function defineQuery<Q extends z.ZodType, R extends z.ZodType>(
  def: Definition<Q> & { replySchema: R },
): QueryContract<Q, R> {
  const version = def.version ?? 1;
  const subject = canonicalSubject('query', def.path, version);
  return {
    kind: 'query',
    subject,
    type: typeOf(subject),
    replyType: `${typeOf(subject)}.reply`,
    version,
    description: def.description,
    schema: def.schema,
    replySchema: def.replySchema,
  };
}

/** Validates `data` against the contract and wraps it; throws a ZodError naming the field otherwise. */
export function envelopeFor<C extends AnyContract>(
  contract: C,
  data: DataOf<C>,
  meta: EnvelopeMeta,
): Envelope<DataOf<C>> {
  return buildEnvelope(contract.type, contract.schema.parse(data) as DataOf<C>, meta);
}

/** Rewrites a canonical subject (or pattern) onto another root: `aviary.evt.x` -> `t42.evt.x`. */
export function subjectUnderRoot(subject: string, root: string): string {
  if (root === SUBJECT_ROOT) return subject;
  if (!subject.startsWith(`${SUBJECT_ROOT}.`))
    throw new Error(`subject "${subject}" is not rooted at ${SUBJECT_ROOT}`);
  return `${root}${subject.slice(SUBJECT_ROOT.length)}`;
}

/** Inverse of {@link subjectUnderRoot}. */
export function canonicalFromRoot(subject: string, root: string): string {
  if (root === SUBJECT_ROOT) return subject;
  if (!subject.startsWith(`${root}.`)) throw new Error(`subject "${subject}" is not rooted at ${root}`);
  return `${SUBJECT_ROOT}${subject.slice(root.length)}`;
}

/** NATS subject matching with `*` (one token) and `>` (one or more trailing tokens). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
