import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What canary analysis judges: request durations and errors per route, plus the process's own metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'http_requests_errors_total',
    help: 'HTTP requests answered with a 5xx status',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  // Exported at 0 from the start, so that a version without errors still has the series a canary
  // analysis compares against (Prometheus' advice for counters with labels).
  errors.inc({ method: 'GET', route: '/flags', status_code: '500' }, 0);
  return { registry, duration, errors };
}
