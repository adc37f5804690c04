import { type NotificationTemplate } from '@aviary/events';
import { maskSecrets } from '@aviary/observability';
import Handlebars from 'handlebars';
import { type z } from 'zod';
import { type MessageView } from './view.js';

type Template = z.infer<typeof NotificationTemplate>;

/** The built-in title and body of each event (and of the notify stage and execution updates). */
export const BUILT_IN: Record<string, Required<Template>> = {
  'execution.started': {
    title: '{{application}}: {{pipeline}} started on {{branch}} ({{shortSha}})',
    body: '{{#if commitMessage}}{{shortSha}} {{commitMessage}}{{#if actor}} ({{actor}}){{/if}}{{/if}}',
  },
  'execution.succeeded': {
    title:
      '{{application}}: {{pipeline}} succeeded on {{branch}} ({{shortSha}}){{#if duration}} in {{duration}}{{/if}}',
    body: '{{#if canary}}Canary {{canary.verdict}}, score {{canary.scoreText}}.{{/if}}',
  },
  'execution.failed': {
    title: '{{application}}: {{pipeline}} failed on {{branch}} ({{shortSha}})',
    body: '{{#if reason}}{{reason}}{{/if}}{{#if commitMessage}}\n{{shortSha}} {{commitMessage}}{{#if actor}} ({{actor}}){{/if}}{{/if}}',
  },
  'execution.canceled': {
    title: '{{application}}: {{pipeline}} was cancelled on {{branch}} ({{shortSha}})',
    body: '{{#if reason}}{{reason}}{{/if}}',
  },
  'execution.paused': {
    title: '{{application}}: {{pipeline}} is paused on {{branch}} ({{shortSha}})',
    body: '{{#if reason}}{{reason}}{{/if}}',
  },
  'stage.failed': {
    title: '{{application}}: stage {{stage.id}} failed on {{branch}} ({{shortSha}})',
    body: '{{#if stage.reason}}{{stage.reason}}{{/if}}',
  },
  'canary.passed': {
    title: '{{application}}: canary passed with score {{canary.scoreText}}',
    body: '{{branch}} ({{shortSha}})',
  },
  'canary.marginal': {
    title: '{{application}}: canary marginal with score {{canary.scoreText}}',
    body: '{{branch}} ({{shortSha}})',
  },
  'canary.failed': {
    title: '{{application}}: canary failed with score {{canary.scoreText}}',
    body: '{{#if canary.reason}}{{canary.reason}}{{/if}}',
  },
  'judgment.requested': {
    title: '{{application}}: {{judgment.stageId}} waits for a manual judgment',
    body: '{{#if judgment.instructions}}{{judgment.instructions}}{{/if}}',
  },
  'rollback.done': {
    title: '{{application}}: rolled back in {{rollback.environment}}',
    body: '{{rollback.detail}}{{#if rollback.previousImage}}\nNow running {{rollback.previousImage}}.{{/if}}',
  },
  notify: {
    title: '{{application}}: {{pipeline}} on {{branch}} ({{shortSha}}) is {{status}}',
    body: '{{#if message}}{{message}}{{/if}}',
  },
};

const engine = Handlebars.create();
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function compile(template: string): HandlebarsTemplateDelegate {
  let delegate = compiled.get(template);
  if (!delegate) {
    // Only the built-in block helpers (if, unless, each, with); no partials, no prototype access.
    delegate = engine.compile(template, { noEscape: true, strict: false, knownHelpersOnly: true });
    if (compiled.size > 1000) compiled.clear();
    compiled.set(template, delegate);
  }
  return delegate;
}

/** Renders one template; throws a TemplateError naming the problem. */
export function renderTemplate(template: string, view: object): string {
  try {
    return compile(template)(view, {
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
  } catch (error) {
    throw new TemplateError((error as Error).message);
  }
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Throws a TemplateError when a template does not compile (checked when settings are saved). */
export function checkTemplate(template: string): void {
  renderTemplate(template, {});
}

/** Applies `escape` to every string of the view, so a channel's markup in the template stays markup. */
function escapeValues(value: unknown, escape: (text: string) => string): unknown {
  if (typeof value === 'string') return escape(value);
  if (Array.isArray(value)) return value.map((v) => escapeValues(v, escape));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeValues(v, escape)]));
  return value;
}

export interface Rendered {
  title: string;
  body: string;
  /** Set when an override failed and the built-in template was used instead. */
  templateError?: string;
}

/**
 * The title and body for `event` on a channel kind: the application's `kind:event` template, else
 * its `event` template, else the built-in one; a broken override falls back to the built-in. Secrets
 * are masked in what comes out.
 */
export function renderMessage(
  event: string,
  kind: string,
  view: MessageView,
  overrides: Record<string, Template>,
  escape: (text: string) => string = (text) => text,
): Rendered {
  const builtIn = BUILT_IN[event] ?? BUILT_IN['notify']!;
  const override = { ...overrides[event], ...overrides[`${kind}:${event}`] };
  const data = escapeValues(view, escape) as object;
  const part = (name: 'title' | 'body'): { text: string; error?: string } => {
    const custom = override[name];
    if (custom !== undefined)
      try {
        return { text: renderTemplate(custom, data) };
      } catch (error) {
        return {
          text: renderTemplate(builtIn[name], data),
          error: `${event} ${name}: ${(error as Error).message}`,
        };
      }
    return { text: renderTemplate(builtIn[name], data) };
  };
  const title = part('title');
  const body = part('body');
  const templateError = title.error ?? body.error;
  return {
    title: maskSecrets(title.text.trim()),
    body: maskSecrets(body.text.trim()),
    ...(templateError === undefined ? {} : { templateError }),
  };
}

/** Slack's mrkdwn: only &, < and > are special. */
export const escapeSlack = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
