import { Controller, Get, Header, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { type Registry } from 'prom-client';
import { METRICS_REGISTRY, READINESS_PROBES, type ReadinessProbe } from './readiness-probe.js';

const PROBE_TIMEOUT_MS = 2_000;

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[],
  ) {}

  /** Readiness: 200 only when every dependency answers; 503 naming the one that does not. */
  @Get('health')
  @HealthCheck()
  readiness() {
    return this.health.check(this.probes.map((probe) => () => this.indicate(probe)));
  }

  /** Liveness depends on nothing outside the process, so a database outage never restarts pods. */
  @Get('health/live')
  liveness() {
    return { status: 'ok' };
  }

  private async indicate(probe: ReadinessProbe): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(probe.name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ready: false; detail: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ ready: false, detail: `no answer within ${PROBE_TIMEOUT_MS} ms` }),
        PROBE_TIMEOUT_MS,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve(probe.check()), timeout]);
      return result.ready ? session.up({ detail: result.detail }) : session.down({ detail: result.detail });
    } catch (error) {
      return session.down({ detail: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}

@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
