import { parseSampleValue, toPromQL } from '@aviary/judge';
import { Agent, RetryAgent, errors, request } from 'undici';
import { z } from 'zod';
import { MetricSourceError, type MetricSource, type Series, type SideQuery } from '../series.js';

const RangeReply = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});
const ErrorReply = z.object({
  status: z.literal('error'),
  errorType: z.string().optional(),
  error: z.string(),
});

export interface PrometheusOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  /** First retry delay; doubles each time. */
  backoffMs?: number;
}

/**
 * Range queries (`/api/v1/query_range`) on Prometheus, built from the canary config the way Kayenta
 * builds them; 429 and 5xx answers (and connection failures) are retried with exponential backoff.
 */
export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus';
  private readonly dispatcher: RetryAgent;

  constructor(private readonly options: PrometheusOptions) {
    this.dispatcher = new RetryAgent(new Agent({ connect: { timeout: options.timeoutMs } }), {
      maxRetries: options.retries,
      minTimeout: options.backoffMs ?? 250,
      timeoutFactor: 2,
      statusCodes: [429, 500, 502, 503, 504],
      methods: ['GET'],
    });
  }

  async query(q: SideQuery, signal?: AbortSignal): Promise<Series[]> {
    const promql = toPromQL(q.query);
    const params = new URLSearchParams({
      query: promql,
      start: String(q.start / 1000),
      end: String(q.end / 1000),
      step: `${q.stepSeconds}s`,
    });
    const url = `${this.options.url}/api/v1/query_range?${params.toString()}`;
    let status: number;
    let body: unknown;
    try {
      const response = await request(url, {
        dispatcher: this.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        ...(signal ? { signal } : {}),
      });
      status = response.statusCode;
      body = await response.body.json().catch(() => undefined);
    } catch (error) {
      if (signal?.aborted) throw error;
      const answered = error instanceof errors.RequestRetryError ? ` (last answer ${error.statusCode})` : '';
      throw new MetricSourceError(
        `Prometheus at ${this.options.url} did not answer ${promql} after ${this.options.retries + 1} attempts${answered}: ${(error as Error).message}`,
        true,
      );
    }
    const failed = ErrorReply.safeParse(body);
    if (status >= 400 || failed.success)
      throw new MetricSourceError(
        `Prometheus refused ${promql}: ${failed.success ? `${failed.data.errorType ?? 'error'}: ${failed.data.error}` : `HTTP ${status}`}`,
        status >= 500,
      );
    const parsed = RangeReply.safeParse(body);
    if (!parsed.success)
      throw new MetricSourceError(`Prometheus answered ${promql} with an unexpected body`, false);
    return parsed.data.data.result.map((series) => ({
      labels: series.metric,
      points: series.values.map(([t, v]) => [t, parseSampleValue(v)] as [number, number]),
    }));
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
