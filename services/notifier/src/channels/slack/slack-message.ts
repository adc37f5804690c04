import { type ExecutionSnapshot, pendingJudgment } from '../../executions/execution-snapshot.js';
import { type Rendered, escapeSlack } from '../../templates/templates.js';
import { type MessageView } from '../../templates/view.js';

export const APPROVE_ACTION = 'aviary.judgment.approve';
export const REJECT_ACTION = 'aviary.judgment.reject';

/** What a judgment button carries back: which execution and stage it decides. */
export function judgmentButtonValue(executionId: string, stageId: string): string {
  return JSON.stringify({ executionId, stageId });
}

const ICONS: Record<string, string> = {
  not_started: ':white_circle:',
  running: ':arrows_counterclockwise:',
  paused: ':double_vertical_bar:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  failed_continue: ':warning:',
  terminal: ':x:',
  canceled: ':no_entry_sign:',
  skipped: ':fast_forward:',
};

/** The event whose template titles the execution's message: where the execution stands now. */
export function currentEvent(snapshot: ExecutionSnapshot): string {
  if (pendingJudgment(snapshot)) return 'judgment.requested';
  switch (snapshot.status) {
    case 'SUCCEEDED':
      return 'execution.succeeded';
    case 'FAILED':
      return 'execution.failed';
    case 'CANCELED':
      return 'execution.canceled';
    case 'PAUSED':
      return 'execution.paused';
    default:
      return 'execution.started';
  }
}

type Block = Record<string, unknown>;

/**
 * The one Slack message of an execution: the current headline, the stage list with durations, the
 * canary score, the judgment (buttons while it waits, who decided after) and a link to the UI.
 */
export function slackExecutionMessage(
  snapshot: ExecutionSnapshot,
  view: MessageView,
  rendered: Rendered,
): { text: string; blocks: Block[] } {
  const e = escapeSlack;
  const blocks: Block[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${rendered.title}*${rendered.body ? `\n${rendered.body}` : ''}` },
    },
  ];
  const context = [
    view.repository ? `<${view.repository}|${e(view.application)}>` : e(view.application),
    view.branch ? `\`${e(view.branch)}\`` : '',
    view.shortSha,
    view.actor ? `by ${e(view.actor)}` : '',
    view.duration ? `took ${view.duration}` : '',
  ].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (view.stages.length)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: view.stages
          .map(
            (s) =>
              `${ICONS[s.status] ?? ':grey_question:'} ${e(s.id)}${s.duration ? ` — ${s.duration}` : ''}${
                s.attempt > 1 ? ` (attempt ${s.attempt})` : ''
              }`,
          )
          .join('\n'),
      },
    });
  if (view.canary)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Canary:* ${e(view.canary.verdict)}, score ${view.canary.scoreText}${
          view.canary.reportId ? ` (<${view.url}|report ${e(view.canary.reportId)}>)` : ''
        }`,
      },
    });
  for (const judgment of snapshot.judgments) {
    if (judgment.decision === undefined) {
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Manual judgment:* ${e(judgment.stageId)}${judgment.instructions ? `\n${e(judgment.instructions)}` : ''}`,
        },
      });
      const value = judgmentButtonValue(snapshot.executionId, judgment.stageId);
      blocks.push({
        type: 'actions',
        block_id: `judgment:${judgment.stageId}`.slice(0, 255),
        elements: [
          {
            type: 'button',
            action_id: APPROVE_ACTION,
            style: 'primary',
            text: { type: 'plain_text', text: 'Approve' },
            value,
          },
          {
            type: 'button',
            action_id: REJECT_ACTION,
            style: 'danger',
            text: { type: 'plain_text', text: 'Reject' },
            value,
          },
        ],
      });
    } else {
      const verb = judgment.decision === 'approve' ? ':white_check_mark: Approved' : ':x: Rejected';
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${verb} ${e(judgment.stageId)} by ${e(judgment.user ?? 'someone')}${
              judgment.via ? ` via ${e(judgment.via)}` : ''
            }${judgment.comment ? `: ${e(judgment.comment)}` : ''}`,
          },
        ],
      });
    }
  }
  blocks.push({
    type: 'actions',
    block_id: 'links',
    elements: [
      {
        type: 'button',
        action_id: 'aviary.open',
        text: { type: 'plain_text', text: 'Open in Aviary' },
        url: view.url,
      },
    ],
  });
  return { text: rendered.title, blocks };
}
