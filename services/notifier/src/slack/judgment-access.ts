import { z } from 'zod';
import { type Role } from '../config/notifier-config.js';
import { type JudgmentState } from '../executions/execution-snapshot.js';

const Value = z.object({ executionId: z.string().min(1), stageId: z.string().min(1) });

/** The execution and stage a judgment button decides, or undefined for a value Aviary did not write. */
export function parseJudgmentValue(value: string): z.infer<typeof Value> | undefined {
  try {
    const parsed = Value.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a Slack user may not decide this judgment, or undefined when they may: they need the deployer
 * or admin role, one of the stage's `roles` when it names some (admins always may), and the judgment
 * must still wait.
 */
export function judgeRefusal(
  role: Role | undefined,
  judgment: JudgmentState | undefined,
  slackUser: string,
): string | undefined {
  if (role !== 'deployer' && role !== 'admin')
    return `You cannot judge from Slack: your Slack user ${slackUser} has ${role ? `the role ${role}` : 'no Aviary role'}; deployer or admin is needed (NOTIFIER_SLACK_USERS).`;
  if (judgment?.decision !== undefined)
    return `This judgment was already decided: ${judgment.decision === 'approve' ? 'approved' : 'rejected'} by ${judgment.user ?? 'someone'}.`;
  if (
    judgment &&
    judgment.allowedRoles.length > 0 &&
    role !== 'admin' &&
    !judgment.allowedRoles.includes(role)
  )
    return `Only ${judgment.allowedRoles.join(', ')} may decide this judgment; your role is ${role}.`;
  return undefined;
}
