import { describe, expect, it } from 'vitest';
import { uniqueTarget } from '../support/lifecycle.js';
import type { TestLocalMode } from '../support/local-mode.js';
import { until } from '../support/wait.js';
import { browserSuite, eventually, screenshot, unnamedControls, type WatchedPage } from './browser.js';

// Real time: the page tells time by the browser's clock, and counts a cooldown down by it.
describe('the overview and a target page', () => {
  let t: TestLocalMode;
  let watched: WatchedPage;
  const running = uniqueTarget('busy-api');
  const blocked = uniqueTarget('broken-worker');
  let runningId: string;
  let failedId: string;

  const suite = browserSuite(async (local: TestLocalMode) => {
    t = local;
    const wait = await t.call('POST', '/executions', {
      body: { targetResource: running, workflowId: 'wait', parameters: { SECONDS: '3600' } },
    });
    const fail = await t.call('POST', '/executions', {
      body: {
        targetResource: blocked,
        workflowId: 'fail',
        parameters: { ERROR: 'TaskFailed', CAUSE: 'the image does not start' },
      },
    });
    expect([wait.status, fail.status]).toEqual([201, 201]);
    runningId = wait.body.id;
    failedId = fail.body.id;
    await until(
      async () =>
        (await t.call('GET', `/targets/${encodeURIComponent(blocked)}`)).body.state === 'Blocked' ? true : undefined,
      20_000,
      'the failed run to block its target',
    );
  });

  it('shows the running target under Running now and the blocked one under Blocked targets, with recent executions filtered by phase and workflow', async () => {
    watched = await suite.open();
    const { page } = watched;
    const runningNow = page.getByRole('region', { name: /Running now/ });
    const blockedTargets = page.getByRole('region', { name: /Blocked targets/ });
    await runningNow.getByRole('link', { name: running }).waitFor();
    await blockedTargets.getByRole('link', { name: blocked }).waitFor();
    expect(await runningNow.getByRole('link', { name: runningId }).count()).toBe(1);
    expect(
      await blockedTargets.getByRole('row', { name: new RegExp(`${blocked}.*PreviousExecutionFailed`) }).count(),
    ).toBe(1);
    expect(await runningNow.getByRole('link', { name: blocked }).count()).toBe(0);

    const recent = page.getByRole('region', { name: /Recent executions/ });
    await recent.getByRole('link', { name: failedId }).waitFor();
    await recent.getByRole('link', { name: runningId }).waitFor();
    await screenshot(page, 'overview');
    expect(await unnamedControls(page)).toEqual([]);

    await page.getByLabel('Phase').selectOption('Failed');
    await eventually(async () => {
      expect(await recent.getByRole('link', { name: failedId }).count()).toBe(1);
      expect(await recent.getByRole('link', { name: runningId }).count()).toBe(0);
    });
    expect(page.url()).toContain('phase=Failed');
    await page.getByLabel('Phase').selectOption('');
    await page.getByLabel('Workflow').selectOption('wait');
    await eventually(async () => {
      expect(await recent.getByRole('link', { name: runningId }).count()).toBe(1);
      expect(await recent.getByRole('link', { name: failedId }).count()).toBe(0);
    });
  });

  it('refreshes by itself: a run that starts after the page opened appears without a reload', async () => {
    watched = await suite.open();
    const { page } = watched;
    const runningNow = page.getByRole('region', { name: /Running now/ });
    await runningNow.getByRole('link', { name: running }).waitFor();
    const late = uniqueTarget('late');
    expect(
      (
        await t.call('POST', '/executions', {
          body: { targetResource: late, workflowId: 'wait', parameters: { SECONDS: '3600' } },
        })
      ).status,
    ).toBe(201);
    await runningNow.getByRole('link', { name: late }).waitFor({ timeout: 10_000 });
  });

  it('asks nothing while the tab is hidden, and at once when it is shown again', async () => {
    watched = await suite.open(`#/targets/${encodeURIComponent(running)}`);
    const { page, requests } = watched;
    await page.getByRole('heading', { level: 1, name: running }).waitFor();
    const api = () => requests.filter((request) => !new URL(request.url).pathname.startsWith('/ui/')).length;
    await eventually(async () => expect(api()).toBeGreaterThan(2), 10_000, 'a refresh'); // it does refresh while shown
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        Object.defineProperty(document, 'visibilityState', {
          configurable: true,
          get: () => (value ? 'hidden' : 'visible'),
        });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await page.getByText('Paused while the tab is hidden').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500)); // a request already on its way may land
    const before = api();
    await new Promise((resolve) => setTimeout(resolve, 4_000)); // more than one refresh period
    expect(api()).toBe(before);
    await setHidden(false);
    await eventually(async () => expect(api()).toBeGreaterThan(before), 1_000, 'a refresh as the tab is shown');
  });

  it('shows times relative, with the exact time on hover', async () => {
    watched = await suite.open();
    const time = watched.page
      .getByRole('region', { name: /Recent executions/ })
      .locator('time')
      .first();
    await time.waitFor();
    expect(await time.textContent()).toMatch(/ago$|^just now$/);
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC/);
  });

  it('clears a blocked target through the labelled form (Reason only), and the clearance is audited with the signed-in identity', async () => {
    watched = await suite.open(`#/targets/${encodeURIComponent(blocked)}`);
    const { page } = watched;
    await page.getByRole('heading', { level: 1, name: blocked }).waitFor();
    await page.getByRole('button', { name: 'Clear block' }).waitFor();
    expect(await page.getByText('PreviousExecutionFailed').count()).toBeGreaterThan(0);
    await page.getByRole('region', { name: 'Executions' }).getByRole('link', { name: failedId }).waitFor();
    await screenshot(page, 'target-blocked');
    expect(await unnamedControls(page)).toEqual([]);

    // The clearer is the signed-in identity: the form asks only why.
    const form = page.getByRole('form', { name: 'Clear block' });
    expect(await form.getByRole('textbox').count()).toBe(1);
    expect(await page.getByLabel('Cleared by').count()).toBe(0);

    // Keyboard only: type, Tab to the button, Enter.
    await page.getByLabel('Reason').fill('the image was rebuilt; <b>safe</b> again');
    await page.getByLabel('Reason').press('Tab');
    await page.keyboard.press('Enter');

    await page.getByRole('status').filter({ hasText: 'Block cleared by token:local-admin' }).waitFor();
    const target = await t.call('GET', `/targets/${encodeURIComponent(blocked)}`);
    expect(target.body.state).not.toBe('Blocked');
    expect(target.body.blockClearances).toEqual([
      {
        clearedAt: expect.any(String),
        clearedBy: 'token:local-admin',
        reason: 'the image was rebuilt; <b>safe</b> again',
      },
    ]);
    const events = await t.call('GET', `/executions/${failedId}/events`);
    const cleared = events.body.items.filter(
      (event: { type: string }) => event.type === 'workflowexecution.block.cleared',
    );
    expect(cleared).toHaveLength(1);
    expect(cleared[0].actor).toBe('token:local-admin');

    // The form is gone; the clearance is listed, as text (not markup); the cooldown counts down.
    await page
      .getByRole('region', { name: 'Clearances' })
      .getByRole('cell', { name: 'the image was rebuilt; <b>safe</b> again' })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Clear block' }).count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    const timer = page.getByRole('timer');
    await timer.waitFor();
    const first = await timer.textContent();
    expect(first).toMatch(/^(\d+ min )?\d+ s left$/);
    await eventually(async () => expect(await timer.textContent()).not.toBe(first), 5_000, 'the countdown to move');
    await screenshot(page, 'target-cooling-down', { committed: false });
  });

  it('shows a target whose name is markup as text, at its own address', async () => {
    const hostile = `esc-${Math.random().toString(36).slice(2, 8)}/deployment/<img src=x onerror=alert(1)>"'&amp;`;
    const created = await t.call('POST', '/executions', { body: { targetResource: hostile, workflowId: 'noop' } });
    expect(created.status).toBe(201);
    watched = await suite.open(`#/targets/${encodeURIComponent(hostile)}`);
    const { page } = watched;
    await page.getByRole('heading', { level: 1, name: hostile }).waitFor();
    await page.getByRole('region', { name: 'Executions' }).getByRole('link', { name: created.body.id }).waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.title()).toContain(hostile);
  });
});
