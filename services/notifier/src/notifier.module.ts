import { type DynamicModule, Module } from '@nestjs/common';
import { NOTIFIER_CONFIG, type NotifierConfig } from './config/notifier-config.js';
import { IngestService } from './ingest/ingest.service.js';
import { NotifierController } from './notifier.controller.js';
import { NotifierCore } from './notifier-core.js';
import { SlackInteractionsService } from './slack/slack-interactions.service.js';
import { NotifyStageService } from './stage/notify-stage.service.js';
import { SettingsService } from './subscriptions/settings.service.js';

/** Notifications: events in, deliveries logged and sent, notify stages, Slack judgments, settings. */
@Module({})
export class NotifierModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    return {
      module: NotifierModule,
      controllers: [NotifierController],
      providers: [
        { provide: NOTIFIER_CONFIG, useValue: config },
        NotifierCore,
        IngestService,
        NotifyStageService,
        SlackInteractionsService,
        SettingsService,
      ],
    };
  }
}
