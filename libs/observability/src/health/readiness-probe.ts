/** Something a service needs before it can do its work (the bus, its database). */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<ProbeResult> | ProbeResult;
}

export interface ProbeResult {
  ready: boolean;
  detail: string;
}

export const READINESS_PROBES = Symbol('READINESS_PROBES');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
