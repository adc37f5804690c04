import { type AnyContract, type MessageContract, type QueryContract } from './contract.js';
import {
  ExecutionCancelled,
  ExecutionCompleted,
  ExecutionCreated,
  ExecutionFailed,
  ExecutionStarted,
} from './messages/execution.js';
import { GetChangedLines, ReadRepositoryFile } from './messages/file-query.js';
import { GetStageLogs } from './messages/log.js';
import { GetCanaryReport, GetQualityReport, ReplayCanaryAnalysis } from './messages/reports.js';
import { GiveJudgment, JudgmentGiven, JudgmentRequested } from './messages/judgment.js';
import {
  GetNotificationSettings,
  ListDeliveries,
  NotificationRequested,
  SetNotificationSettings,
  SlackInteraction,
} from './messages/notification.js';
import {
  CancelExecution,
  ExecutionPaused,
  ExecutionResumed,
  ExecutionStageChanged,
  GetExecution,
  ListExecutions,
  RestartStage,
  TriggerExecution,
} from './messages/orchestrator.js';
import { StageCommands, StageEvents } from './messages/stage.js';
import { GetEnvironments, ReleaseChanged } from './messages/deployer.js';
import { WebhookReceived } from './messages/webhook.js';

/** Every message Aviary sends, in one list: the source of the JSON Schemas and the AsyncAPI document. */
export const ALL_CONTRACTS: readonly AnyContract[] = [
  WebhookReceived,
  ExecutionCreated,
  ExecutionStarted,
  ExecutionCompleted,
  ExecutionFailed,
  ExecutionCancelled,
  ExecutionStageChanged,
  ExecutionPaused,
  ExecutionResumed,
  CancelExecution,
  RestartStage,
  TriggerExecution,
  ListExecutions,
  GetExecution,
  ...Object.values(StageCommands).flatMap((commands) => Object.values<MessageContract>(commands)),
  ...Object.values(StageEvents).flatMap((events) => Object.values<MessageContract>(events)),
  ReleaseChanged,
  GetEnvironments,
  JudgmentRequested,
  GiveJudgment,
  JudgmentGiven,
  NotificationRequested,
  SlackInteraction,
  SetNotificationSettings,
  GetNotificationSettings,
  ListDeliveries,
  ReadRepositoryFile,
  GetChangedLines,
  GetStageLogs,
  GetCanaryReport,
  ReplayCanaryAnalysis,
  GetQualityReport,
];

/**
 * Looks contracts up by CloudEvents type and by subject. Transports take a registry rather than the
 * global list so that tests (and later versions) can add their own messages.
 */
export class ContractRegistry {
  private readonly byType = new Map<string, AnyContract>();
  private readonly bySubject = new Map<string, AnyContract>();

  constructor(contracts: Iterable<AnyContract> = ALL_CONTRACTS) {
    for (const contract of contracts) this.add(contract);
  }

  add(contract: AnyContract): this {
    const existing = this.bySubject.get(contract.subject);
    if (existing && existing !== contract)
      throw new Error(`two contracts share the subject ${contract.subject}`);
    this.byType.set(contract.type, contract);
    this.bySubject.set(contract.subject, contract);
    return this;
  }

  byEnvelopeType(type: string): AnyContract | undefined {
    return this.byType.get(type);
  }

  bySubjectName(subject: string): AnyContract | undefined {
    return this.bySubject.get(subject);
  }

  messages(): MessageContract[] {
    return [...this.bySubject.values()].filter((c): c is MessageContract => c.kind !== 'query');
  }

  queries(): QueryContract[] {
    return [...this.bySubject.values()].filter((c): c is QueryContract => c.kind === 'query');
  }

  all(): AnyContract[] {
    return [...this.bySubject.values()];
  }
}
