import { ContractRegistry, defineCommand, defineEvent, defineQuery } from '@aviary/events';
import { z } from 'zod';

/** Messages of the contract suite, on subjects no service uses. */
export const Work = defineCommand({
  path: 'contract-test.work',
  description: 'A unit of work for the contract suite.',
  schema: z.object({ n: z.int(), label: z.string().min(1) }),
});

export const Happened = defineEvent({
  path: 'contract-test.happened',
  description: 'Something the contract suite reports.',
  schema: z.object({ n: z.int() }),
});

export const Noted = defineEvent({
  path: 'contract-test.noted',
  description: 'A second event under the same wildcard.',
  schema: z.object({ note: z.string() }),
});

export const Add = defineQuery({
  path: 'contract-test.add',
  description: 'Adds two numbers.',
  schema: z.object({ a: z.int(), b: z.int() }),
  replySchema: z.object({ sum: z.int() }),
});

export const EVENTS_PATTERN = 'aviary.evt.contract-test.>';

export function testRegistry(): ContractRegistry {
  return new ContractRegistry([Work, Happened, Noted, Add]);
}
