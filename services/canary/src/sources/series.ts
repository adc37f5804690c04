import { type QueryScope, type ResolvedQuery } from '@aviary/judge';

/** One time series: its labels and [unix seconds, value] points. */
export interface Series {
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

export type Side = 'baseline' | 'canary';

/** One side's query for one interval window. */
export interface SideQuery {
  side: Side;
  query: ResolvedQuery;
  scope: QueryScope;
  start: number;
  end: number;
  stepSeconds: number;
}

/** Where metric series come from: Prometheus, or the canary service's own scrapes. */
export interface MetricSource {
  readonly kind: 'prometheus' | 'scrape';
  query(query: SideQuery, signal?: AbortSignal): Promise<Series[]>;
}

/** A source that cannot answer (down after retries, refusing the query): the analysis fails. */
export class MetricSourceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MetricSourceError';
  }
}

export const labelKey = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export const formatLabels = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
