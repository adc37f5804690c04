export { currentContext, runInContext, type MessageContext } from './correlation.js';
export { SECRET_KEYS, maskSecrets, registerSecret } from './secrets.js';
export { PinoNestLogger, createLogger, type LoggerConfig } from './logger.js';
export { createMetricsRegistry, metricOnce } from './metrics.js';
export { ObservabilityModule } from './health/observability.module.js';
export {
  METRICS_REGISTRY,
  READINESS_PROBES,
  type ProbeResult,
  type ReadinessProbe,
} from './health/readiness-probe.js';
