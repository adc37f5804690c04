import { type DynamicModule, Module } from '@nestjs/common';
import { QualityController } from './analysis/quality.controller.js';
import { QualityService } from './analysis/quality.service.js';
import { QUALITY_CONFIG } from './analysis/tokens.js';
import { type QualityConfig } from './config/quality-config.js';

/** Quality gates: the stage command, reports from the artifacts or SonarQube, history, the report query. */
@Module({})
export class QualityModule {
  static forRoot(config: QualityConfig): DynamicModule {
    return {
      module: QualityModule,
      controllers: [QualityController],
      providers: [{ provide: QUALITY_CONFIG, useValue: config }, QualityService],
    };
  }
}
