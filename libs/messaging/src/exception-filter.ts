import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest replaces any error a message handler throws (other than an `RpcException`) by "Internal
 * server error" before the transport sees it. With this filter the transport gets the error itself,
 * so a query caller receives the handler's message and a dead letter says what went wrong. Bind it
 * with `@UseFilters(BusExceptionFilter)` on the controllers that handle bus messages, or with
 * `useGlobalFilters` on a microservice-only app; it handles RPC only, not HTTP requests.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
