import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per service (not prom-client's global one), so that seven services in one process
 * (standalone mode) each expose their own `/metrics` without clashing names.
 */
export function createMetricsRegistry(service: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `create` builds. */
export function metricOnce<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
