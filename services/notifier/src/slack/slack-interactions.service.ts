import { type DataOf, type Envelope, GiveJudgment, type SlackInteraction } from '@aviary/events';
import { BusClient } from '@aviary/messaging';
import { handleOnce } from '@aviary/persistence';
import { Injectable } from '@nestjs/common';
import { APPROVE_ACTION, REJECT_ACTION } from '../channels/slack/slack-message.js';
import { NotifierCore } from '../notifier-core.js';
import { judgeRefusal, parseJudgmentValue } from './judgment-access.js';

/**
 * Approve and Reject pressed in Slack: the Slack user is mapped to an Aviary role
 * (NOTIFIER_SLACK_USERS), the judgment is sent to the orchestrator as that Slack user, and the
 * message is updated when the orchestrator records it (JudgmentGiven), as for a judgment from the UI.
 * A refusal is told to the user alone (an ephemeral message).
 */
@Injectable()
export class SlackInteractionsService {
  constructor(
    private readonly core: NotifierCore,
    private readonly bus: BusClient,
  ) {}

  async handle(data: DataOf<typeof SlackInteraction>, envelope: Envelope): Promise<void> {
    const decision =
      data.actionId === APPROVE_ACTION ? 'approve' : data.actionId === REJECT_ACTION ? 'reject' : undefined;
    if (!decision) return;
    const target = parseJudgmentValue(data.value);
    if (!target) return this.tell(data, 'This button does not name a judgment Aviary knows.');
    // The inbox row commits only if everything below succeeded; a redelivery after a crash publishes
    // GiveJudgment again under the same id, which JetStream drops.
    await this.core.db.transaction(async (manager) => {
      if (!(await handleOnce(manager, 'notifier.slack-interaction', envelope.id))) return;
      const snapshot = await this.core.executions.get(target.executionId, manager);
      const judgment = snapshot?.judgments.find((j) => j.stageId === target.stageId);
      const role = this.core.config.slack.users[data.user.id];
      const refusal = judgeRefusal(role, judgment, data.user.id);
      if (refusal) {
        this.core.logger.info(
          { slackUser: data.user.id, executionId: target.executionId, refusal },
          'Slack judgment refused',
        );
        await this.tell(data, refusal);
        return;
      }
      const user = `slack:${data.user.username ?? data.user.name ?? data.user.id}`;
      await this.bus.publish(
        GiveJudgment,
        { executionId: target.executionId, stageId: target.stageId, decision, user, via: 'slack' },
        { id: `slack-judgment:${envelope.id}`, correlationid: target.executionId },
      );
      this.core.logger.info(
        { slackUser: data.user.id, user, decision, executionId: target.executionId },
        'judgment from Slack sent',
      );
    });
  }

  private async tell(data: DataOf<typeof SlackInteraction>, text: string): Promise<void> {
    const slack = this.core.senders.slack;
    if (!slack || !data.channelId) return;
    const reply = await slack.postEphemeral(data.channelId, data.user.id, text);
    if (!reply.outcome.ok)
      this.core.logger.warn({ error: reply.outcome.error }, 'could not tell the Slack user');
  }
}
