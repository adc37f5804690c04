import { Controller, Get, Inject } from '@nestjs/common';
import { TARGETS } from '../releases/tokens.js';
import { type ScrapeTargetGroup } from '../targets/local/local-target.js';
import { type TargetRegistry } from '../targets/target-registry.js';

/**
 * Prometheus HTTP service discovery of what the local provider runs (`http_sd_configs` with this
 * URL): each process with the labels a canary config selects by (`namespace`, `pod`), and `app`,
 * `track`, `version`. Each replica lists its own processes; give Prometheus every replica.
 */
@Controller('api/v1/local')
export class ScrapeTargetsController {
  constructor(@Inject(TARGETS) private readonly targets: TargetRegistry) {}

  @Get('targets')
  scrapeTargets(): ScrapeTargetGroup[] {
    return this.targets.localScrapeTargets();
  }
}
