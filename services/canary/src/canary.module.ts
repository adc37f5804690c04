import { type DynamicModule, Module } from '@nestjs/common';
import { AnalysisService } from './analysis/analysis.service.js';
import { CanaryController } from './analysis/canary.controller.js';
import { CANARY_CONFIG } from './analysis/tokens.js';
import { type CanaryServiceConfig } from './config/canary-service-config.js';

/** Analyses: the stage commands, the metric sources, the judge, reports and replays. */
@Module({})
export class CanaryModule {
  static forRoot(config: CanaryServiceConfig): DynamicModule {
    return {
      module: CanaryModule,
      controllers: [CanaryController],
      providers: [{ provide: CANARY_CONFIG, useValue: config }, AnalysisService],
    };
  }
}
