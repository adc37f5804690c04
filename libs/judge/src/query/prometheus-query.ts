import { type CanaryConfig, isRatioQuery, type MetricQuery } from '../config/canary-config.js';

/** Kayenta's CanaryScope, the parts a query reads. */
export interface QueryScope {
  scope?: string;
  location?: string;
  project?: string;
  resourceType?: string;
  /** The step of the range query, in seconds (ratio metrics count increases per step). */
  step: number;
  extendedScopeParams?: Record<string, string>;
}

/** A query Kayenta would refuse to build (a missing template, an undefined variable, ...). */
export class QueryBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryBuildError';
  }
}

/**
 * A query resolved from a metric config and a scope: verbatim PromQL, or a metric selector with its
 * label filters (template tokens first, then labelBindings) and how its series are aggregated.
 */
export type ResolvedQuery =
  | { kind: 'promql'; promql: string }
  | {
      kind: 'selector';
      metricName: string;
      filters: string[];
      groupBy: string[];
      /** avg of the values (Kayenta), avg of per-second rates, or the sum of increases per step. */
      aggregation: 'avg' | 'avg-rate' | 'sum-increase';
      /** Range of rate() or increase() in PromQL duration syntax. */
      window?: string;
    };

const nonEmpty = (value: string | null | undefined): value is string =>
  typeof value === 'string' && value.length > 0;

/** Java's String.split(","): trailing empty strings are dropped. */
function javaSplit(text: string): string[] {
  const parts = text.split(',');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** commons-text StringSubstitutor with undefined variables as errors and `$${x}` as a literal `${x}`. */
function substitute(template: string, bindings: Map<string, string>, where: string): string {
  return template.replace(/(\$?)\$\{([^}]*)\}/g, (whole, escape: string, name: string) => {
    if (escape) return whole.slice(1);
    const value = bindings.get(name);
    if (value === undefined)
      throw new QueryBuildError(
        `${where}: the variable \${${name}} has no value (known: ${[...bindings.keys()].join(', ') || 'none'})`,
      );
    return value;
  });
}

function expandCustomFilter(config: CanaryConfig, query: MetricQuery, scope: QueryScope): string | undefined {
  if (nonEmpty(query.customFilter))
    throw new QueryBuildError(
      'customFilter is no longer supported: use customInlineTemplate or customFilterTemplate',
    );
  let template: string;
  let where: string;
  if (nonEmpty(query.customInlineTemplate)) {
    template = query.customInlineTemplate;
    where = 'customInlineTemplate';
  } else if (nonEmpty(query.customFilterTemplate)) {
    const found = config.templates?.[query.customFilterTemplate];
    if (found === undefined)
      throw new QueryBuildError(
        `customFilterTemplate "${query.customFilterTemplate}" is not among the config's templates (${Object.keys(config.templates ?? {}).join(', ') || 'none'})`,
      );
    template = found;
    where = `template "${query.customFilterTemplate}"`;
  } else return undefined;
  const bindings = new Map<string, string>();
  for (const key of ['project', 'resourceType', 'scope', 'location'] as const) {
    const value = scope[key];
    if (nonEmpty(value)) bindings.set(key, value);
  }
  if (nonEmpty(query.resourceType)) bindings.set('resourceType', query.resourceType);
  for (const [key, value] of Object.entries(scope.extendedScopeParams ?? {})) bindings.set(key, value);
  return substitute(template, bindings, where);
}

function defaultFilters(query: MetricQuery, scope: QueryScope, scopeLabel: string): string[] {
  const resourceType = nonEmpty(query.resourceType)
    ? query.resourceType
    : scope.extendedScopeParams?.['resourceType'];
  if (!nonEmpty(resourceType))
    throw new QueryBuildError('Either a resource type or a custom filter is required.');
  if (resourceType !== 'gce_instance' && resourceType !== 'aws_ec2_instance')
    throw new QueryBuildError(`resource type "${resourceType}" is not supported without a custom filter`);
  if (!nonEmpty(scope.location))
    throw new QueryBuildError(`a location is required for resource type ${resourceType}`);
  const filters: string[] = [];
  if (resourceType === 'gce_instance') {
    if (nonEmpty(scope.scope)) filters.push(`${scopeLabel}=~"${scope.scope}-.{4}"`);
    const project = nonEmpty(scope.project) ? `projects/${scope.project}/` : '';
    filters.push(`zone=~".+/${project}zones/${scope.location}-.{1}"`);
  } else {
    if (nonEmpty(scope.scope)) filters.push(`asg_groupName="${scope.scope}"`);
    filters.push(`zone=~"${scope.location}.{1}"`);
  }
  return filters;
}

export interface BuildOptions {
  /** The label a gce_instance scope is matched on (Kayenta's account `scopeLabel`). */
  scopeLabel?: string;
}

/** Resolves one (non-ratio) query as Kayenta's PrometheusMetricsService does. */
export function resolveQuery(
  config: CanaryConfig,
  query: MetricQuery,
  scope: QueryScope,
  options: BuildOptions = {},
): ResolvedQuery {
  const customFilter = expandCustomFilter(config, query, scope);
  if (customFilter?.startsWith('PromQL:')) return { kind: 'promql', promql: customFilter.substring(7) };
  if (!nonEmpty(query.metricName)) throw new QueryBuildError('metricName is required');
  const bindings = query.labelBindings ?? [];
  const filters = nonEmpty(customFilter)
    ? [...javaSplit(customFilter), ...bindings]
    : [...defaultFilters(query, scope, options.scopeLabel ?? 'instance'), ...bindings];
  return {
    kind: 'selector',
    metricName: query.metricName,
    filters,
    groupBy: query.groupByFields ?? [],
    aggregation: query.rate === true ? 'avg-rate' : 'avg',
    ...(query.rate === true ? { window: query.rateWindow ?? '1m' } : {}),
  };
}

/** A ratio metric's two queries: increases per step of the numerator and of the denominator. */
export function resolveRatioQueries(
  config: CanaryConfig,
  query: MetricQuery,
  scope: QueryScope,
  options: BuildOptions = {},
): { numerator: ResolvedQuery; denominator: ResolvedQuery } {
  if (!isRatioQuery(query)) throw new QueryBuildError('not a ratio query');
  const side = (part: MetricQuery): ResolvedQuery => {
    const inherited: MetricQuery = {
      ...part,
      customFilterTemplate: part.customFilterTemplate ?? query.customFilterTemplate ?? null,
      customInlineTemplate: part.customInlineTemplate ?? query.customInlineTemplate ?? null,
      groupByFields: part.groupByFields ?? query.groupByFields ?? null,
      resourceType: part.resourceType ?? query.resourceType ?? null,
    };
    const resolved = resolveQuery(config, inherited, scope, options);
    if (resolved.kind === 'promql') return resolved;
    return { ...resolved, aggregation: 'sum-increase', window: `${scope.step}s` };
  };
  return { numerator: side(query.numerator), denominator: side(query.denominator) };
}

/** The PromQL text of a resolved query: Kayenta's `avg(metric{filters}) by (fields)`. */
export function toPromQL(query: ResolvedQuery): string {
  if (query.kind === 'promql') return query.promql;
  let selector = query.metricName;
  if (query.filters.length > 0) selector += `{${query.filters.join(',')}}`;
  const by = query.groupBy.length > 0 ? ` by (${query.groupBy.join(',')})` : '';
  if (query.aggregation === 'avg-rate') return `avg(rate(${selector}[${query.window}]))${by}`;
  if (query.aggregation === 'sum-increase') return `sum(increase(${selector}[${query.window}]))${by}`;
  return `avg(${selector})${by}`;
}

/** The PromQL Kayenta would send for one metric (ratio metrics: numerator and denominator). */
export function buildPrometheusQueries(
  config: CanaryConfig,
  metricName: string,
  scope: QueryScope,
  options: BuildOptions = {},
): { query: string } | { numerator: string; denominator: string } {
  const metric = config.metrics.find((m) => m.name === metricName);
  if (!metric)
    throw new QueryBuildError(
      `no metric "${metricName}" in the config (it has ${config.metrics.map((m) => m.name).join(', ')})`,
    );
  if (isRatioQuery(metric.query)) {
    const { numerator, denominator } = resolveRatioQueries(config, metric.query, scope, options);
    return { numerator: toPromQL(numerator), denominator: toPromQL(denominator) };
  }
  return { query: toPromQL(resolveQuery(config, metric.query, scope, options)) };
}
