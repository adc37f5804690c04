import { type NotificationSettings } from '@aviary/events';
import { type ExecutionSnapshot } from '../executions/execution-snapshot.js';
import { renderTemplate } from '../templates/templates.js';
import { renderMessage } from '../templates/templates.js';
import { buildView } from '../templates/view.js';
import { currentEvent } from './slack/slack-message.js';

/** A commit status in provider-neutral words (each provider maps them to its own). */
export type CommitState = 'pending' | 'running' | 'success' | 'failure' | 'canceled';

export interface CommitStatus {
  repository: string;
  sha: string;
  state: CommitState;
  context: string;
  description: string;
  targetUrl: string;
}

const DEFAULT_CONTEXT = 'aviary/{{application}}{{#if stage}}/{{stage.id}}{{/if}}';

function stateOf(status: string): CommitState {
  switch (status) {
    case 'SUCCEEDED':
    case 'SKIPPED':
      return 'success';
    case 'FAILED':
    case 'TERMINAL':
    case 'FAILED_CONTINUE':
      return 'failure';
    case 'CANCELED':
      return 'canceled';
    case 'NOT_STARTED':
      return 'pending';
    default:
      return 'running';
  }
}

/**
 * The status the commit should show now, for the execution or one of its stages; undefined when the
 * trigger is not known yet. The context is templated so that the applications of a monorepo each
 * keep their own.
 */
export function commitStatusOf(
  snapshot: ExecutionSnapshot,
  settings: NotificationSettings,
  uiUrl: string,
  kind: 'github' | 'gitlab',
  stageId?: string,
): CommitStatus | undefined {
  const trigger = snapshot.trigger;
  if (!trigger) return undefined;
  const view = buildView(snapshot, { uiUrl, event: currentEvent(snapshot), ...(stageId ? { stageId } : {}) });
  let context: string;
  try {
    context =
      renderTemplate(settings.statusContext ?? DEFAULT_CONTEXT, view).trim() ||
      `aviary/${snapshot.application}`;
  } catch {
    context = renderTemplate(DEFAULT_CONTEXT, view);
  }
  if (stageId) {
    const stage = snapshot.stages.find((s) => s.id === stageId);
    if (!stage) return undefined;
    const state = stateOf(stage.status);
    return {
      repository: trigger.repository,
      sha: trigger.sha,
      state,
      context,
      description:
        `${stage.id}: ${stage.status.toLowerCase()}${stage.reason ? ` (${stage.reason})` : ''}`.slice(0, 140),
      targetUrl: view.url,
    };
  }
  const rendered = renderMessage(currentEvent(snapshot), kind, view, settings.templates);
  return {
    repository: trigger.repository,
    sha: trigger.sha,
    state: stateOf(snapshot.status === 'PAUSED' ? 'RUNNING' : snapshot.status),
    context,
    description: rendered.title.slice(0, 140),
    targetUrl: view.url,
  };
}

/** `owner/repo` (GitLab: `group/sub/project`) from an https, ssh or short repository reference. */
export function repositoryPath(repository: string): string | undefined {
  const text = repository
    .trim()
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
  const scp = /^[^@\s]+@[^:\s]+:(.+)$/.exec(text);
  if (scp) return scp[1];
  if (/^[a-z]+:\/\//i.test(text)) {
    try {
      const path = new URL(text).pathname.replace(/^\/+/, '');
      return path.includes('/') ? path : undefined;
    } catch {
      return undefined;
    }
  }
  return /^[\w.-]+(\/[\w.-]+)+$/.test(text) ? text : undefined;
}
