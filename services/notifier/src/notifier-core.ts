import { Database } from '@aviary/persistence';
import { LOGGER, SERVICE_CONFIG, type ServiceConfig } from '@aviary/runtime';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Logger } from 'pino';
import { SlackMessageStore } from './channels/slack/slack-message-store.js';
import { NOTIFIER_CONFIG, type NotifierConfig } from './config/notifier-config.js';
import { ChannelSenders } from './delivery/channel-senders.js';
import { type ClaimedDelivery, DeliveryLog } from './delivery/delivery-log.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { ExecutionStore } from './executions/execution-store.js';
import { StageRunStore } from './stage/stage-run-store.js';
import { SettingsStore } from './subscriptions/settings-store.js';

/**
 * The notifier's stores, channel senders and dispatcher, built once per service; the dispatcher
 * starts when the application has started and stops (finishing the attempts under way) before the
 * bus and the database close.
 */
@Injectable()
export class NotifierCore implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly executions: ExecutionStore;
  readonly settings: SettingsStore;
  readonly slackMessages: SlackMessageStore;
  readonly log: DeliveryLog;
  readonly stageRuns: StageRunStore;
  readonly senders: ChannelSenders;
  readonly dispatcher: Dispatcher;
  private readonly finishedListeners: Array<(delivery: ClaimedDelivery) => void> = [];
  private stopping = false;

  constructor(
    readonly db: Database,
    @Inject(SERVICE_CONFIG) service: ServiceConfig,
    @Inject(NOTIFIER_CONFIG) readonly config: NotifierConfig,
    @Inject(LOGGER) readonly logger: Logger,
  ) {
    this.executions = new ExecutionStore(db, service.schema);
    this.settings = new SettingsStore(db, service.schema);
    this.slackMessages = new SlackMessageStore(db, service.schema);
    this.log = new DeliveryLog(db, service.schema);
    this.stageRuns = new StageRunStore(db, service.schema);
    this.senders = new ChannelSenders(config, {
      executions: this.executions,
      settings: this.settings,
      slackMessages: this.slackMessages,
      log: this.log,
    });
    this.dispatcher = new Dispatcher(config, this.log, this.senders, logger, {
      finished: (delivery) => {
        for (const listener of this.finishedListeners) listener(delivery);
      },
    });
  }

  onDeliveryFinished(listener: (delivery: ClaimedDelivery) => void): void {
    this.finishedListeners.push(listener);
  }

  onApplicationBootstrap(): void {
    // Deliveries are claimed from the database: the dispatcher starts once it is connected and
    // migrated, not with a failed claim (and a warning) at every start.
    this.db.ready().then(
      () => {
        if (!this.stopping) this.dispatcher.start();
      },
      () => undefined,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.dispatcher.stop();
    await this.senders.close();
  }
}
