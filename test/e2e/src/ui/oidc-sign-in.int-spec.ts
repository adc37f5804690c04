import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Standalone } from '@aviary/standalone';
import { type BrowserContext } from 'playwright-core';
import { startOidcProvider } from './oidc-provider.js';
import { screenshot, startAviary, startBrowser } from './ui-harness.js';

/**
 * Reads closed, an OIDC issuer configured with a client for the UI: the browser asks to sign in, goes
 * to the issuer and back (authorization code with PKCE), and the ID token it brings is the bearer
 * token the gateway verifies.
 */
describe('signing in to the web UI through OIDC', () => {
  let aviary: Standalone;
  let context: BrowserContext;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    provider = await startOidcProvider({
      clientId: 'aviary-ui',
      user: { sub: 'u-1', email: 'ada@example.com', groups: ['developers'] },
    });
    cleanups.push(provider.close);
    const started = await startAviary({
      AVIARY_ANONYMOUS_READ: 'false',
      AVIARY_OIDC_ISSUER: provider.issuer,
      AVIARY_OIDC_AUDIENCE: 'aviary-ui',
      AVIARY_OIDC_CLIENT_ID: 'aviary-ui',
      AVIARY_OIDC_ROLE_MAP: 'developers=deployer',
    });
    cleanups.push(started.close);
    aviary = started.aviary;
    const browser = await startBrowser();
    cleanups.push(browser.close);
    context = browser.context;
  }, 90_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }, 60_000);

  it('asks to sign in, goes through the issuer with PKCE, and comes back to the page, signed in with the role the groups give', async () => {
    const page = await context.newPage();
    await page.goto(`${aviary.url}/applications/shop/environments`);
    await page.getByRole('heading', { name: 'Sign in to Aviary' }).waitFor();
    await page.getByLabel('API token', { exact: true }).waitFor();
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: `Sign in with ${new URL(provider.issuer).host}` }).click();
    await page.getByText('ada@example.com (deployer)').waitFor({ timeout: 20_000 });
    // back on the page it was asked for
    await page.getByRole('heading', { name: 'shop: environments' }).waitFor();
    expect(provider.exchanges()).toBe(1);
    // The token is this tab's: another tab is asked to sign in again.
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toContain('aviary.token');
    const other = await context.newPage();
    await other.goto(aviary.url);
    await other.getByRole('heading', { name: 'Sign in to Aviary' }).waitFor();
  }, 60_000);
});
