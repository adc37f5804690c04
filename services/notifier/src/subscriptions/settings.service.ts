import {
  type DataOf,
  type GetNotificationSettings,
  type ReplyOf,
  type SetNotificationSettings,
} from '@aviary/events';
import { Injectable } from '@nestjs/common';
import { channelProblem } from '../channels/channel-target.js';
import { NotifierCore } from '../notifier-core.js';
import { checkTemplate } from '../templates/templates.js';
import { allChannels } from './subscriptions.js';

/** Settings set through the API (the gateway's `/api/v1/applications/<name>/notifications`). */
@Injectable()
export class SettingsService {
  constructor(private readonly core: NotifierCore) {}

  async set(data: DataOf<typeof SetNotificationSettings>): Promise<void> {
    await this.core.settings.set(data.application, data.settings, data.user);
    this.core.logger.info(
      { application: data.application, user: data.user, removed: data.settings === null },
      'notification settings changed',
    );
  }

  async get(query: DataOf<typeof GetNotificationSettings>): Promise<ReplyOf<typeof GetNotificationSettings>> {
    const stored = await this.core.settings.get(query.application);
    const problems: Array<{ channel: string; problem: string }> = [];
    if (stored) {
      for (const channel of allChannels(stored.settings)) {
        const problem = channelProblem(channel, this.core.config);
        if (problem) problems.push({ channel, problem });
      }
      for (const [key, template] of Object.entries(stored.settings.templates))
        for (const text of [template.title, template.body])
          if (text !== undefined)
            try {
              checkTemplate(text);
            } catch (error) {
              problems.push({ channel: `template ${key}`, problem: (error as Error).message });
            }
    }
    return {
      application: query.application,
      settings: stored?.settings ?? null,
      ...(stored ? { updatedBy: stored.updatedBy, updatedAt: stored.updatedAt.toISOString() } : {}),
      problems,
    };
  }
}
