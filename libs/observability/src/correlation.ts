import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the code running now is working for. The transport sets it around every handler, so logs carry
 * the execution id, and messages published from inside a handler inherit the correlation id and name
 * the handled envelope as their cause, without any code passing them along.
 */
export interface MessageContext {
  correlationid: string;
  /** The envelope being handled; becomes the `causationid` of what the handler publishes. */
  envelopeId?: string;
  subject?: string;
}

const storage = new AsyncLocalStorage<MessageContext>();

export function runInContext<T>(context: MessageContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): MessageContext | undefined {
  return storage.getStore();
}
