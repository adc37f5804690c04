import { describe, expect, it } from '@jest/globals';
import { registerSecret } from '@aviary/observability';
import { checkTemplate, escapeSlack, renderMessage } from './templates.js';
import { type MessageView } from './view.js';

const view: MessageView = {
  event: 'execution.failed',
  application: 'shop',
  pipeline: 'node-service',
  executionId: 'e1',
  url: 'https://aviary.example.com/executions/e1',
  status: 'failed',
  reason: 'tests <failed> & more',
  branch: 'main',
  sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  shortSha: 'a94a8fe',
  repository: 'https://github.com/acme/shop',
  actor: 'alice',
  commitMessage: 'faster',
  stages: [{ id: 'build', type: 'run', status: 'succeeded', attempt: 1 }],
};

describe('templates', () => {
  it('renders the built-in title, or the application override by kind, then by event', () => {
    expect(renderMessage('execution.failed', 'email', view, {}).title).toBe(
      'shop: node-service failed on main (a94a8fe)',
    );
    const overrides = {
      'execution.failed': { title: 'E {{application}}' },
      'email:execution.failed': { title: 'M {{shortSha}}' },
    };
    expect(renderMessage('execution.failed', 'email', view, overrides).title).toBe('M a94a8fe');
    expect(renderMessage('execution.failed', 'webhook', view, overrides).title).toBe('E shop');
  });

  it('runs no code and reaches no prototype, and a broken override falls back to the built-in', () => {
    const sneaky = {
      'execution.failed': {
        title: '{{constructor.constructor}}|{{__proto__}}|{{lookup this "constructor"}}',
      },
    };
    const rendered = renderMessage('execution.failed', 'email', view, sneaky);
    expect(rendered.title).not.toMatch(/function|Object|native/);
    const broken = renderMessage('execution.failed', 'email', view, {
      'execution.failed': { title: '{{#if}}' },
    });
    expect(broken.title).toBe('shop: node-service failed on main (a94a8fe)');
    expect(broken.templateError).toMatch(/execution.failed title/);
    expect(() => checkTemplate('{{#each stages}}')).toThrow();
    expect(() => checkTemplate('{{#each stages}}{{id}}{{/each}}')).not.toThrow();
  });

  it("escapes values for the channel's markup, not the template's own", () => {
    const rendered = renderMessage(
      'execution.failed',
      'slack',
      view,
      { 'execution.failed': { body: '<{{url}}|open> {{reason}}' } },
      escapeSlack,
    );
    expect(rendered.body).toBe(
      '<https://aviary.example.com/executions/e1|open> tests &lt;failed&gt; &amp; more',
    );
  });

  it('masks secrets that reach a message', () => {
    registerSecret('s3cr3t-value-for-templates');
    const rendered = renderMessage(
      'execution.failed',
      'email',
      { ...view, reason: 'token s3cr3t-value-for-templates leaked' },
      {},
    );
    expect(rendered.body).not.toContain('s3cr3t-value-for-templates');
    expect(rendered.body).toContain('****');
  });
});
