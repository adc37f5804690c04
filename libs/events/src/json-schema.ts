import { z } from 'zod';
import { type AnyContract } from './contract.js';
import { EnvelopeSchema } from './envelope.js';

export type JsonSchema = Record<string, unknown>;

/** Draft-07: the dialect AsyncAPI 3 documents embed by default. */
function toSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-07', io, unrepresentable: 'throw' });
}

/** The full message as it travels: the envelope with `type` fixed and `data` of the contract's schema. */
export function envelopeJsonSchema(
  contract: AnyContract,
  data = contract.schema,
  type = contract.type,
): JsonSchema {
  const envelope = toSchema(EnvelopeSchema.extend({ type: z.literal(type), data }));
  return {
    ...envelope,
    $id: `https://aviary.dev/schemas/${type}.json`,
    title: type,
    description: contract.description,
  };
}

export function dataJsonSchema(contract: AnyContract): JsonSchema {
  return toSchema(contract.schema);
}
