import createClient from 'openapi-fetch';
import { readToken } from '../auth/token-store.js';
import { type operations, type paths } from './generated/openapi.js';

/** The JSON body an operation answers with on success (200 or 202). */
type JsonOf<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : O extends { responses: { 202: { content: { 'application/json': infer T } } } }
    ? T
    : never;

export type Application = JsonOf<operations['ApplicationsController_list']>['applications'][number];
export type ExecutionList = JsonOf<operations['ExecutionsController_list']>;
export type ExecutionSummary = ExecutionList['executions'][number];
export type ExecutionDetail = JsonOf<operations['ExecutionsController_get']>;
export type Stage = ExecutionDetail['stages'][number];
export type ExecutionStatus = ExecutionSummary['status'];
export type LogPage = JsonOf<operations['ExecutionsController_logs']>;
export type CanaryReport = JsonOf<operations['ReportsController_canary']>;
export type CanaryInterval = NonNullable<CanaryReport['intervals']>[number];
export type CanaryMetric = CanaryInterval['metrics'][number];
export type QualityReport = JsonOf<operations['ReportsController_quality']>;
export type Environments = JsonOf<operations['EnvironmentsController_list']>;
export type Session = JsonOf<operations['SessionController_session']>;
export type SignInOptions = JsonOf<operations['SessionController_signIn']>;

/** An answer that was not a success, with the gateway's problem detail when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The gateway's API, typed from its OpenAPI document, with the stored token on every request. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? 'http://localhost' });
api.use({
  onRequest({ request }) {
    const token = readToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
});

/** The data of an openapi-fetch answer, or an ApiError carrying the problem's detail. */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined && data !== null) return data;
  const detail =
    typeof error === 'object' && error !== null && 'detail' in error && typeof error.detail === 'string'
      ? error.detail
      : `${response.status} ${response.statusText}`;
  throw new ApiError(response.status, detail);
}
