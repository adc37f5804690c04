import { type AnyContract } from './contract.js';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_TYPE, DeadLetter } from './messages/dead-letter.js';
import { ContractRegistry } from './registry.js';
import { envelopeJsonSchema, type JsonSchema } from './json-schema.js';
import { defineEvent } from './contract.js';

function idOf(subject: string): string {
  return subject
    .split('.')
    .slice(1)
    .map((t, i) => (i === 0 ? t : t.charAt(0).toUpperCase() + t.slice(1)))
    .join('')
    .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const deadLetterContract = {
  ...defineEvent({
    path: 'dead-letter',
    description: 'A message no handler could take, kept with the reason so that nothing accepted is lost.',
    schema: DeadLetter,
  }),
  subject: `${DEAD_LETTER_PREFIX}.>`,
  type: DEAD_LETTER_TYPE,
};

/**
 * An AsyncAPI 3.0 document of every subject and message, from the point of view of a subscriber
 * outside Aviary: what it can receive (events), what it can send (commands), what it can ask (queries).
 */
export function buildAsyncApiDocument(
  registry = new ContractRegistry(),
  version = '1.0.0',
): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  const addMessage = (contract: AnyContract, schema: JsonSchema, name: string, summary: string) => {
    messages[name] = {
      name,
      title: name,
      summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', description: 'The envelope id; JetStream drops a repeated one.' },
        },
      },
      payload: schema,
    };
    return { $ref: `#/components/messages/${name}` };
  };

  for (const contract of [...registry.all(), deadLetterContract]) {
    const id = contract === deadLetterContract ? 'deadLetter' : idOf(contract.subject);
    const message = addMessage(contract, envelopeJsonSchema(contract), id, contract.description);
    const channel: Record<string, unknown> = {
      address: contract.subject,
      description: contract.description,
      messages: { [id]: message },
    };
    if (contract.kind === 'query') {
      const replyId = `${id}Reply`;
      const reply = addMessage(
        contract,
        envelopeJsonSchema(contract, contract.replySchema, contract.replyType),
        replyId,
        `Reply to ${contract.subject}`,
      );
      channels[replyId] = {
        address: null,
        description: `Reply inbox for ${contract.subject}`,
        messages: { [replyId]: reply },
      };
      operations[id] = {
        action: 'send',
        channel: { $ref: `#/channels/${id}` },
        messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
        reply: {
          channel: { $ref: `#/channels/${replyId}` },
          messages: [{ $ref: `#/channels/${replyId}/messages/${replyId}` }],
        },
      };
    } else {
      operations[id] = {
        action: contract.kind === 'command' ? 'send' : 'receive',
        channel: { $ref: `#/channels/${id}` },
        messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      };
    }
    channels[id] = channel;
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Aviary message bus',
      version,
      description:
        'Commands (work-queue stream, one durable consumer per worker kind), events (limits stream, replayable) and queries (core NATS request/reply) exchanged by the Aviary services. Every payload is a CloudEvents 1.0 envelope with `correlationid` and `causationid`.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: { host: '127.0.0.1:4222', protocol: 'nats', description: 'NATS with JetStream enabled' },
    },
    channels,
    operations,
    components: { messages },
  };
}
