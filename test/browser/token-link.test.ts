import { describe, expect, it } from 'vitest';
import { statusPageUrl } from '../../lib/ui/status-page.js';
import { uniqueTarget } from '../support/lifecycle.js';
import { TEST_TOKEN } from '../support/local-mode.js';
import { browserSuite } from './browser.js';

/** The printed `UI:` address opened again in a tab where the page is already open: a fragment navigation, no reload. */
describe('the printed address, opened in a tab that already shows the page', () => {
  const suite = browserSuite();

  it('takes the token, takes it off the address bar and shows the overview', async () => {
    const watched = await suite.open('#/workflows');
    const { page } = watched;
    await page.getByRole('heading', { level: 1, name: 'Workflows' }).waitFor();

    await page.goto(statusPageUrl(suite.t.local.urls.api, TEST_TOKEN));

    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByRole('region', { name: /Running now/ }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/');
    expect(await page.evaluate(() => sessionStorage.getItem('lockstep.token'))).toBe(TEST_TOKEN);
    expect(await page.getByRole('heading', { name: 'Not found' }).count()).toBe(0);
  });

  it('takes a token beside a place (#/targets/T?token=…) and shows that place', async () => {
    const target = uniqueTarget('placed');
    const watched = await suite.open('#/workflows');
    const { page } = watched;
    await page.getByRole('heading', { level: 1, name: 'Workflows' }).waitFor();

    await page.goto(
      `${suite.t.local.urls.api}/ui/#/targets/${encodeURIComponent(target)}?token=${encodeURIComponent(TEST_TOKEN)}`,
    );

    await page.getByRole('heading', { level: 1, name: target }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/targets/${encodeURIComponent(target)}`);
    expect(page.url()).not.toContain('token=');
  });
});
