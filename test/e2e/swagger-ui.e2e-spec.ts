import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  basicAuthorization,
  freePort,
  rememberSecrets,
  seedClient,
  startIdentity,
  startWeatherApi,
  testOutputDir,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// Issue 6 §1, in a real browser: Swagger UI on the weather-api gets a token from the identity
// (Authorize, cross-origin with CORS) and Try it out shows the forecasts.

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A step's wait; the whole flow stays well under the spec's timeout. */
const STEP_TIMEOUT_MS = 10_000;

describe('Swagger UI in a browser', () => {
  let identity: RunningIdentity;
  let api: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    const apiPort = await freePort();
    identity = await startIdentity({ env: { CORS_ORIGINS: `http://localhost:${apiPort}` } });
    [api, browser] = await Promise.all([
      startWeatherApi({ port: apiPort, env: { AUTHORITY: identity.url } }),
      chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS }),
    ]);
    rememberSecrets(basicAuthorization(seedClient));
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), identity?.stop()]);
  });

  /** Runs `steps` on a fresh page; on failure, saves a screenshot to test-output/ first. */
  async function onDocsPage(name: string, steps: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const problems: string[] = [];
    // A CSP violation shows up here: the relaxed policy of /docs must let Swagger UI work.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', async (response) => {
      if (!response.url().endsWith('/connect/token') || response.request().method() !== 'POST')
        return;
      const body = (await response.json().catch(() => ({}))) as { access_token?: string };
      rememberSecrets(body.access_token);
    });
    try {
      await page.goto(`${api.url}/docs`);
      await page.locator('.opblock-summary', { hasText: '/weatherforecast' }).waitFor();
      await steps(page);
    } catch (error) {
      mkdirSync(testOutputDir, { recursive: true });
      await page.screenshot({
        path: join(testOutputDir, `swagger-ui-${name}.png`),
        fullPage: true,
      });
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nbrowser errors: ${problems.join(' | ')}`,
      );
    } finally {
      await page.close();
    }
  }

  async function executeForecast(page: Page): Promise<{ status: string; body: string }> {
    await page.locator('.opblock-summary', { hasText: '/weatherforecast' }).click();
    await page.locator('button.try-out__btn').click();
    await page.locator('button.execute').click();
    const live = page.locator('.live-responses-table .response');
    await live.waitFor();
    return {
      status: (await live.locator('.response-col_status').innerText()).trim(),
      body: await live.locator('.response-col_description .microlight').first().innerText(),
    };
  }

  it('Authorize gets a token from the identity with client and secret; Try it out shows five forecasts', async () => {
    await onDocsPage('authorized', async (page) => {
      await page.locator('button.authorize').first().click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('#client_id_clientCredentials').fill(seedClient.id);
      await dialog.locator('#client_secret_clientCredentials').fill(seedClient.secret);
      const tokenResponse = page.waitForResponse(
        (response) => response.url() === `${identity.url}/connect/token`,
      );
      await dialog.locator('button.modal-btn.authorize').click();
      expect((await tokenResponse).status()).toBe(200);
      // Swagger UI shows the Logout button once it holds a token.
      await dialog.locator('button.modal-btn', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.modal-btn', { hasText: 'Close' }).click();

      const { status, body } = await executeForecast(page);
      expect(status).toBe('200');
      const forecasts = JSON.parse(body) as Record<string, unknown>[];
      expect(forecasts).toHaveLength(5);
      for (const forecast of forecasts) {
        expect(Object.keys(forecast).sort()).toEqual([
          'date',
          'summary',
          'temperatureC',
          'temperatureF',
        ]);
      }
    });
  }, 30_000);

  it('without Authorize, Execute shows 401', async () => {
    await onDocsPage('unauthorized', async (page) => {
      const { status } = await executeForecast(page);
      expect(status).toBe('401');
    });
  }, 30_000);
});
