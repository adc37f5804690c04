import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { type Registry } from 'prom-client';
import { HealthController, MetricsController } from './health.controller.js';
import { METRICS_REGISTRY, READINESS_PROBES, type ReadinessProbe } from './readiness-probe.js';

/** `GET /health` (readiness), `GET /health/live` (liveness) and `GET /metrics` for one service. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: { registry: Registry; probes: ReadinessProbe[] }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: READINESS_PROBES, useValue: options.probes },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
