import { type DataOf, type QueryContract, type ReplyOf } from '@aviary/events';
import { type BusClient, QueryError } from '@aviary/messaging';
import { ProblemException } from './problem.js';

/**
 * Asks the service that owns `contract` and returns its reply; when nobody answers (the service is
 * not running) or not in time, a 503 naming the service, so a client knows what is missing.
 */
export async function ask<Q extends QueryContract>(
  bus: BusClient,
  contract: Q,
  data: DataOf<Q>,
  service: string,
  timeoutMs: number,
): Promise<ReplyOf<Q>> {
  try {
    return await bus.query(contract, data, { timeoutMs });
  } catch (error) {
    if (error instanceof QueryError) {
      if (error.code === 'no-responders' || error.code === 'timeout')
        throw new ProblemException(
          503,
          `the ${service} service did not answer (${error.message})`,
          undefined,
          {
            'retry-after': '5',
          },
        );
      throw new ProblemException(502, `the ${service} service failed to answer: ${error.message}`);
    }
    throw error;
  }
}
