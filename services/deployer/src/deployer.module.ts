import { ARTIFACTS_BUCKET, BusClient } from '@aviary/messaging';
import { type DynamicModule, Module } from '@nestjs/common';
import { type DeployerConfig } from './config/deployer-config.js';
import { ScrapeTargetsController } from './discovery/scrape-targets.controller.js';
import { EnvironmentsController } from './environments/environments.controller.js';
import { DeployerController } from './releases/deployer.controller.js';
import { ReleaseService } from './releases/release-service.js';
import { DEPLOYER_CONFIG, TARGETS } from './releases/tokens.js';
import { TargetRegistry } from './targets/target-registry.js';

/** Releases: the stage commands, the strategies on Kubernetes or local targets, the release state. */
@Module({})
export class DeployerModule {
  static forRoot(config: DeployerConfig): DynamicModule {
    return {
      module: DeployerModule,
      controllers: [DeployerController, EnvironmentsController, ScrapeTargetsController],
      providers: [
        { provide: DEPLOYER_CONFIG, useValue: config },
        {
          provide: TARGETS,
          useFactory: (bus: BusClient) => TargetRegistry.create(config, bus.objects(ARTIFACTS_BUCKET)),
          inject: [BusClient],
        },
        ReleaseService,
      ],
    };
  }
}
