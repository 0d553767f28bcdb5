import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../support/lifecycle.js';
import type { TestLocalMode } from '../support/local-mode.js';
import { browserSuite, screenshot, unnamedControls, type WatchedPage } from './browser.js';

describe('the workflows page', () => {
  let t: TestLocalMode;
  let watched: WatchedPage;

  const suite = browserSuite();
  beforeAll(() => {
    t = suite.t;
  });

  const posts = (page: WatchedPage) => page.requests.filter((request) => request.method === 'POST');

  it('lists every version with its parameters and digest', async () => {
    watched = await suite.open('#/workflows');
    const { page } = watched;
    const catalog = (await t.call('GET', '/workflows')).body.items as {
      id: string;
      version: string;
      digest: string;
      parameters?: { name: string }[];
    }[];
    expect(catalog.map((workflow) => workflow.id)).toEqual(expect.arrayContaining(['noop', 'wait', 'fail']));
    for (const workflow of catalog) {
      const version = page.getByRole('article', { name: new RegExp(`^${workflow.id} version ${workflow.version}`) });
      await version.waitFor();
      expect(await version.getByText(workflow.digest).count(), workflow.id).toBe(1);
      for (const parameter of workflow.parameters ?? [])
        expect(await version.getByRole('cell', { name: parameter.name, exact: true }).count()).toBe(1);
      expect(await version.getByRole('button', { name: 'Run' }).count()).toBe(1);
    }
    expect(
      await page
        .getByRole('article', { name: /^wait version 1/ })
        .getByRole('row', { name: /SECONDS integer/ })
        .textContent(),
    ).toContain('0 to 86400');
  });

  it('refuses a bad parameter beside its field without sending anything, then starts a good run and opens it', async () => {
    watched = await suite.open('#/workflows');
    const { page } = watched;
    const form = page.getByRole('form', { name: 'Run wait version 1' });
    await form.waitFor();
    const target = uniqueTarget('run-from-page');
    await form.getByLabel('Target resource').fill(target);

    await form.getByLabel('SECONDS').fill('abc');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.getByText(/SECONDS must be a whole number written as JSON .*, got "abc"/).waitFor();
    expect(await form.getByLabel('SECONDS').getAttribute('aria-invalid')).toBe('true');
    // Focus goes to the field to fix.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('abc');

    await form.getByLabel('SECONDS').fill('999999');
    await form.getByLabel('SECONDS').press('Enter');
    await form.getByText('SECONDS must be at most 86400, got 999999').waitFor();
    await screenshot(page, 'workflows');
    expect(await unnamedControls(page)).toEqual([]);
    expect(posts(watched), 'requests sent for refused values').toEqual([]);
    expect((await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items).toEqual([]);

    await form.getByLabel('SECONDS').fill('1');
    await form.getByLabel('Correlation ID').fill('from-the-page');
    await form.getByRole('button', { name: 'Run' }).click();
    await page
      .getByRole('heading', { level: 1 })
      .filter({ hasText: /^[0-9a-f-]{36}$/ })
      .waitFor();
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/executions/', ''));
    expect(posts(watched).map((request) => new URL(request.url).pathname)).toEqual(['/executions']);
    const execution = (await t.call('GET', `/executions/${id}`)).body;
    expect(execution).toMatchObject({
      targetResource: target,
      workflowId: 'wait',
      workflowVersion: '1',
      parameters: { SECONDS: '1' },
      correlationId: 'from-the-page',
    });
    await page.getByRole('region', { name: 'Fields' }).getByText('from-the-page').waitFor();
  });

  it('shows a refusal inline with the Skipped execution it recorded', async () => {
    const target = uniqueTarget('busy');
    expect(
      (
        await t.call('POST', '/executions', {
          body: { targetResource: target, workflowId: 'wait', parameters: { SECONDS: '3600' } },
        })
      ).status,
    ).toBe(201);
    watched = await suite.open(`#/workflows?target=${encodeURIComponent(target)}`);
    const { page } = watched;
    const form = page.getByRole('form', { name: 'Run noop version 1' });
    expect(await form.getByLabel('Target resource').inputValue()).toBe(target);
    await form.getByRole('button', { name: 'Run' }).click();
    const refusal = form.getByRole('alert').filter({ hasText: 'Refused' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('ResourceBusy');
    await refusal.getByRole('link').click();
    await page.getByRole('region', { name: 'Fields' }).getByText('ResourceBusy').waitFor();
    // The API's 409, shown on the page: a failed load the page expected.
    watched.problems.splice(
      0,
      watched.problems.length,
      ...watched.problems.filter((problem) => !/status of 409/.test(problem)),
    );
  });
});
