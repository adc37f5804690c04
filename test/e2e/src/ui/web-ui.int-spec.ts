import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@aviary/test-support';
import { type Standalone } from '@aviary/standalone';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { SERVER_JS, SLOW_PIPELINE, canaryPipeline, judgmentPipeline, qualityPipeline } from './pipelines.js';
import {
  PipelineRepository,
  callApi,
  screenshot,
  startAviary,
  startBrowser,
  startMetricsEndpoint,
} from './ui-harness.js';

interface Stage {
  stageId: string;
  status: string;
  reason?: string;
  attempt: number;
  outputs: Record<string, unknown>;
}
interface Execution {
  executionId: string;
  status: string;
  stages: Stage[];
}

const APPLICATION = 'ui-e2e';

/**
 * The web UI in Debian's chromium against Aviary in one process (the seven services, the built UI):
 * a person signs in with a token, watches the stage view fill in, approves a judgment, cancels a
 * run, and reads a canary report with its charts. Screenshots go to test/e2e/artifacts/.
 */
describe('the web UI', () => {
  let aviary: Standalone;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  let repository: PipelineRepository;
  const cleanups: Array<() => Promise<void>> = [];
  const browserErrors: string[] = [];
  const shas: Record<'main' | 'slow' | 'canary' | 'quality1' | 'quality2', string> = {
    main: '',
    slow: '',
    canary: '',
    quality1: '',
    quality2: '',
  };

  const api = <T>(method: string, path: string, body?: unknown) =>
    callApi<T>(aviary, token, method, path, body);
  const trigger = async (commit: keyof typeof shas) =>
    (
      await api<{ executionId: string }>('POST', '/api/v1/executions', {
        application: APPLICATION,
        branch: commit.startsWith('quality') ? 'main' : commit,
        sha: shas[commit],
      })
    ).executionId;
  const ended = (executionId: string) =>
    eventually(
      async () => {
        const state = await execution(executionId);
        expect(['SUCCEEDED', 'FAILED', 'TERMINAL', 'CANCELED']).toContain(state.status);
        return state;
      },
      60_000,
      300,
    );
  const execution = (id: string) => api<Execution>('GET', `/api/v1/executions/${id}`);

  beforeAll(async () => {
    const baseline = await startMetricsEndpoint(100);
    const canary = await startMetricsEndpoint(140);
    cleanups.push(baseline.close, canary.close);
    const started = await startAviary();
    cleanups.push(started.close);
    ({ aviary, token } = started);
    repository = await PipelineRepository.create();
    cleanups.push(() => repository.remove());
    const app = await mkdtemp(join(tmpdir(), 'aviary-ui-app-'));
    await writeFile(join(app, 'server.js'), SERVER_JS);
    cleanups.push(() => rm(app, { recursive: true, force: true }));
    shas.main = await repository.commit('main', judgmentPipeline(process.execPath, app));
    shas.slow = await repository.commit('slow', SLOW_PIPELINE);
    shas.canary = await repository.commit('canary', canaryPipeline(baseline.url, canary.url));
    // Two main builds, the second covering more lines than the first.
    shas.quality1 = await repository.commit('main', qualityPipeline(3));
    shas.quality2 = await repository.commit('main', qualityPipeline(4));
    await api('POST', '/api/v1/applications', {
      name: APPLICATION,
      provider: 'generic',
      repositoryUrl: repository.url,
      defaultBranch: 'main',
    });
    const browser = await startBrowser();
    cleanups.push(browser.close);
    context = browser.context;
    page = await context.newPage();
    // What the page said when it went wrong, shown with the failure.
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      // The first look at the session is a 401 before signing in: expected.
      if (message.type() === 'error' && !message.text().includes('401')) browserErrors.push(message.text());
    });
  }, 90_000);

  afterAll(async () => {
    if (browserErrors.length) console.warn(`the browser reported:\n${browserErrors.join('\n')}`);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }, 60_000);

  it('opens without a login when reads are open, and signs in with a token to do more', async () => {
    await page.goto(`${aviary.url}/applications/${APPLICATION}`);
    await page.getByRole('heading', { name: `${APPLICATION}: executions` }).waitFor();
    await page.getByText('anonymous (viewer)').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Aviary' }).waitFor();
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('bootstrap-admin (admin)').waitFor();
    await page.getByRole('heading', { name: `${APPLICATION}: executions` }).waitFor();
    await page.getByText('No executions match.').waitFor();
    await page.getByText('● live').waitFor();
  });

  it('fills in the stage view live as a pipeline runs, and resumes it when the judgment is approved', async () => {
    const executionId = await trigger('main');
    const row = page.locator(`tr[data-execution="${executionId}"]`);
    // The run appears and its cells change without a reload: compile is seen running, then done.
    await row.waitFor({ timeout: 20_000 });
    await row.locator('[title="Compile: Running"]').waitFor({ timeout: 30_000 });
    await row.locator('[title="Compile: Succeeded"]').waitFor({ timeout: 30_000 });
    await row.locator('[title="Lint: Succeeded"]').waitFor();
    await row.locator('[title="Approve the release: Waiting"]').waitFor({ timeout: 20_000 });
    await expect(row.getByText('Waiting').first().isVisible()).resolves.toBe(true);
    await screenshot(page, 'stage-view');

    await row.getByRole('link', { name: /Waiting/ }).click();
    await page.getByRole('heading', { name: 'Manual judgment' }).waitFor();
    // The log of the selected stage: stored lines, searchable, with the secret masked.
    // The stage graph works from the keyboard.
    await page.getByRole('button', { name: /^Compile: Succeeded/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Log of Compile' }).waitFor();
    // What the step printed, a line each (the command it ran is one multi-line system line before).
    const printed = page.locator('pre.log .line.stdout');
    await printed.filter({ hasText: 'compiled' }).waitFor();
    expect((await printed.allTextContents()).map((text) => text.replace(/^\d+/, ''))).toEqual([
      'compiling the sources',
      'API_TOKEN=****',
      'compiled',
    ]);
    expect(await page.content()).not.toContain('supersecretvalue123');
    await page.getByLabel('Search').fill('compiled');
    await page.getByText(/^2 of \d+ lines match$/).waitFor();
    expect(await printed.allTextContents()).toEqual(['3compiled']);
    await screenshot(page, 'execution-log');

    await page.getByRole('button', { name: /^Approve the release: Waiting/ }).click();
    await page.getByLabel('Comment (optional)').fill('build looks right');
    await page.getByRole('button', { name: '✓ Approve' }).click();
    await page.locator('h1').getByText('Succeeded').waitFor({ timeout: 30_000 });
    const done = await execution(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stages.find((s) => s.stageId === 'approve')?.outputs).toMatchObject({
      decision: 'approve',
      comment: 'build looks right',
    });
    expect(done.stages.find((s) => s.stageId === 'release')?.status).toBe('SUCCEEDED');
    await screenshot(page, 'execution-approved');

    // The release is running in production: the environments page shows its server group.
    await page.getByRole('link', { name: `← ${APPLICATION}` }).click();
    await page.getByRole('link', { name: 'Environments' }).click();
    const production = page.getByRole('region', { name: /^production/ });
    const group = production.getByRole('row', { name: new RegExp(`^${APPLICATION} production`) });
    await group.waitFor();
    expect(await group.textContent()).toContain(`ui-e2e:${shas.main}`);
    await group.getByText('Healthy').waitFor();
    await screenshot(page, 'environments');
  }, 90_000);

  it('cancels a running execution from its page, and restarts its stage', async () => {
    const executionId = await trigger('slow');
    await page.goto(`${aviary.url}/executions/${executionId}`);
    await page.getByRole('button', { name: /^Long job: Running/ }).waitFor({ timeout: 30_000 });
    // Its log streams while it runs.
    await page.locator('pre.log .line.stdout').getByText('working for a while').waitFor({ timeout: 20_000 });
    // An anonymous reader (another tab: the token is kept per tab) sees the run but not the button.
    const reader = await context.newPage();
    await reader.goto(`${aviary.url}/executions/${executionId}`);
    await reader.getByRole('button', { name: /^Long job: Running/ }).waitFor();
    await reader.getByText('anonymous (viewer)').waitFor();
    expect(await reader.getByRole('button', { name: '⊘ Cancel execution' }).count()).toBe(0);
    await reader.close();
    await page.getByRole('button', { name: '⊘ Cancel execution' }).click();
    await page.locator('h1').getByText('Canceled').waitFor({ timeout: 30_000 });
    expect((await execution(executionId)).status).toBe('CANCELED');
    // Nothing left to cancel: the button is gone.
    expect(await page.getByRole('button', { name: '⊘ Cancel execution' }).count()).toBe(0);
    await screenshot(page, 'execution-canceled');

    // The cancelled stage runs again (a second attempt), and is cancelled again.
    await page.getByRole('button', { name: /^Long job: Canceled/ }).click();
    await page.getByRole('button', { name: '↻ Restart this stage' }).click();
    await page.getByRole('button', { name: /^Long job: Running/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Log of Long job, attempt 2' }).waitFor();
    expect((await execution(executionId)).stages.find((s) => s.stageId === 'wait-long')).toMatchObject({
      status: 'RUNNING',
      attempt: 2,
    });
    await page.getByRole('button', { name: '⊘ Cancel execution' }).click();
    await page.locator('h1').getByText('Canceled').waitFor({ timeout: 30_000 });
  }, 90_000);

  it('draws the canary report of a real analysis: score, metrics with reasons, charts and the stats table', async () => {
    const executionId = await trigger('canary');
    // The report is opened while the analysis runs (3 s of warm-up, then 4 s intervals): the judged
    // interval and the verdict come in without a reload.
    await eventually(
      async () =>
        expect((await execution(executionId)).stages.find((s) => s.stageId === 'analysis')?.status).toBe(
          'RUNNING',
        ),
      30_000,
      200,
    );
    await page.goto(`${aviary.url}/executions/${executionId}/stages/analysis/canary`);
    await page.getByRole('heading', { name: 'Canary report' }).waitFor();
    await page.getByText('Verdict: running').waitFor();
    await page.getByText('Verdict: fail').waitFor({ timeout: 30_000 });
    const analysis = (await ended(executionId)).stages.find((s) => s.stageId === 'analysis')!;
    // A canary 40 % slower fails (the whole stage is in the message when it does not).
    expect(analysis).toMatchObject({ status: 'FAILED', outputs: { reportId: expect.any(String) } });
    await page.getByText(/is at or below the marginal threshold 70/).waitFor();
    await page.getByRole('button', { name: 'latency', exact: true }).waitFor();
    // Both charts are drawn on their canvases (uPlot), not left blank.
    for (const kind of ['time', 'histogram']) {
      const canvas = page.locator(`[data-chart="${kind}"] canvas`);
      await canvas.waitFor();
      const painted = await canvas.evaluate((element) => {
        const c = element as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
          };
        };
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count++;
        return count;
      });
      expect(painted).toBeGreaterThan(500);
    }
    const stats = page.getByRole('table', { name: 'Count, mean, maximum and minimum of each side' });
    expect(await stats.locator('tbody tr th').allTextContents()).toEqual(['■ baseline', '■ canary']);
    await page.getByText(/High/).first().waitFor();
    await screenshot(page, 'canary-report');
    // The same page in the dark theme.
    await page.getByRole('button', { name: 'Switch to the dark theme' }).click();
    await screenshot(page, 'canary-report-dark');
  }, 90_000);

  it('shows a quality gate per condition with the change since the previous main build', async () => {
    expect((await ended(await trigger('quality1'))).status).toBe('SUCCEEDED');
    const executionId = await trigger('quality2');
    expect((await ended(executionId)).status).toBe('SUCCEEDED');
    await page.goto(`${aviary.url}/executions/${executionId}?stage=gate`);
    await page.getByRole('link', { name: 'Quality report' }).click();
    await page.getByRole('heading', { name: 'Quality report' }).waitFor();
    const coverage = page.getByRole('row', { name: /^Coverage/ });
    await coverage.waitFor();
    expect(await coverage.getByRole('cell').allTextContents()).toEqual([
      '80.0 %',
      'fails below 50.0 %, warns below 90.0 %',
      '! Warning',
      '▲ +20.0 % better',
    ]);
    await page.getByText(`Compared with the previous main build ${shas.quality1.slice(0, 7)}`).waitFor();
    await screenshot(page, 'quality-report');
  }, 90_000);

  it('lists the application with its last runs and last canary score', async () => {
    await page.getByRole('link', { name: 'Applications' }).click();
    const card = page.getByRole('article', { name: APPLICATION });
    await card.waitFor();
    await card.getByText(/score \d/).waitFor();
    // production runs the release the judgment let through
    expect(await card.getByRole('definition').first().textContent()).toBe(shas.main);
    expect(await card.getByRole('list', { name: 'Last executions' }).getByRole('listitem').count()).toBe(5);
    await screenshot(page, 'applications');
    // On a phone's screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: APPLICATION, exact: true }).click();
    await page.getByRole('table', { name: 'Stage view' }).waitFor();
    await screenshot(page, 'stage-view-phone');

    // The filters ask the API again: by status, then by branch.
    const runs = page.getByRole('table', { name: 'Stage view' }).locator('tbody tr');
    await page.getByLabel('Status').selectOption({ label: 'Canceled' });
    await eventually(async () => expect(await runs.count()).toBe(1), 10_000, 100);
    expect(await runs.first().textContent()).toContain('on slow');
    await page.getByLabel('Status').selectOption({ label: 'any status' });
    await page.getByLabel('Branch').fill('canary');
    await page.getByLabel('Branch').press('Enter');
    await eventually(async () => expect(await runs.count()).toBe(1), 10_000, 100);
    expect(await runs.first().textContent()).toContain('on canary');
  }, 30_000);
});
