import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ObservabilityModule } from '@aviary/observability';
import { ACCESS_RULE, type AccessRule } from './access.js';

/**
 * Marks the runtime's own routes (`/health`, `/health/live`, `/metrics`, served by the
 * ObservabilityModule every service has) as public: probes and Prometheus do not authenticate.
 */
@Injectable()
export class InfrastructureRoutes implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const rule: AccessRule = { kind: 'public', why: 'health probes and metrics scrapes' };
    for (const wrapper of this.discovery.getControllers())
      if (wrapper.host?.metatype === ObservabilityModule && wrapper.metatype)
        Reflect.defineMetadata(ACCESS_RULE, rule, wrapper.metatype);
  }
}
