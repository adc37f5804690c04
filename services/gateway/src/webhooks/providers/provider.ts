import { type Trigger } from '@aviary/events';
import { type FieldError } from '../../http/problem.js';

export type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A change the provider reported that may start an execution, before the application's rules. */
export type TriggerDraft = Omit<Trigger, 'kind'> & { kind: 'push' | 'tag' };

export type Interpretation =
  | { kind: 'push'; triggers: TriggerDraft[]; ignored: string[] }
  | { kind: 'ping' }
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; errors: FieldError[] };

export interface RepositoryRef {
  /** Normalized repository keys the payload names (see repositoryKey). */
  keys: string[];
  /** How to name it in a message: its web URL or full name. */
  label: string;
}

/** What differs between git providers; everything else (lookup, dedupe, publish) is shared. */
export interface WebhookProvider {
  readonly name: 'github' | 'gitlab' | 'bitbucket' | 'generic';
  readonly signatureHeader: string;
  readonly deliveryHeader: string;
  /** The event the request carries (`push`, `Push Hook`, `repo:push`). */
  event(headers: Headers): string | undefined;
  /** Events that need no repository to be answered: ignored without looking anything up. */
  repository(payload: unknown): RepositoryRef | FieldError;
  verify(secret: string, body: Buffer, headers: Headers): Promise<boolean>;
  interpret(event: string, payload: unknown): Interpretation;
}

export const ZERO_SHA = /^0+$/;

export function branchOrTag(
  ref: string,
): { kind: 'push'; branch: string } | { kind: 'tag'; tag: string } | undefined {
  if (ref.startsWith('refs/heads/')) return { kind: 'push', branch: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', tag: ref.slice('refs/tags/'.length) };
  return undefined;
}
