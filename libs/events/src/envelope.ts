import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * Every message on the bus travels in this envelope. Attribute names follow CloudEvents 1.0 so that
 * any CloudEvents tooling can read Aviary's events; `correlationid` (the execution, or the webhook
 * delivery before an execution exists) and `causationid` (the envelope that caused this one) are
 * extension attributes.
 */
export const EnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  correlationid: z.string().min(1),
  causationid: z.string().min(1).optional(),
  data: z.unknown(),
});

export type Envelope<T = unknown> = Omit<z.infer<typeof EnvelopeSchema>, 'data'> & { data: T };

export interface EnvelopeMeta {
  /** Defaults to a new UUID. Set it to make a publish idempotent (JetStream drops a repeated id). */
  id?: string;
  source: string;
  correlationid?: string;
  causationid?: string;
  time?: Date;
}

export function buildEnvelope<T>(type: string, data: T, meta: EnvelopeMeta): Envelope<T> {
  const id = meta.id ?? randomUUID();
  return {
    specversion: '1.0',
    id,
    type,
    source: meta.source,
    time: (meta.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    correlationid: meta.correlationid ?? id,
    ...(meta.causationid === undefined ? {} : { causationid: meta.causationid }),
    data,
  };
}
