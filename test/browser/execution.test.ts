import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../support/lifecycle.js';
import type { TestLocalMode } from '../support/local-mode.js';
import { until } from '../support/wait.js';
import { browserSuite, eventually, screenshot, unnamedControls, type WatchedPage } from './browser.js';

describe('an execution page', () => {
  let t: TestLocalMode;
  let watched: WatchedPage;

  const suite = browserSuite();
  beforeAll(() => {
    t = suite.t;
  });

  async function ended(id: string) {
    return until(
      async () => {
        const { body } = await t.call('GET', `/executions/${id}`);
        return body.phase === 'Failed' || body.phase === 'Completed' ? body : undefined;
      },
      20_000,
      `execution ${id} to end`,
    );
  }

  it('shows every field, the steps with the failed one marked, and the audit events in order', async () => {
    const target = uniqueTarget('crashing-job');
    const created = await t.call('POST', '/executions', {
      body: {
        targetResource: target,
        workflowId: 'fail',
        parameters: { ERROR: 'States.TaskFailed', CAUSE: 'exit code 137' },
        correlationId: 'incident-4711',
      },
    });
    expect(created.status).toBe(201);
    const execution = await ended(created.body.id);

    watched = await suite.open(`#/executions/${execution.id}`);
    const { page } = watched;
    await page.getByRole('heading', { level: 1, name: execution.id }).waitFor();

    const fields = page.getByRole('region', { name: 'Fields' });
    await fields.getByText('incident-4711').waitFor();
    for (const text of [
      execution.workflowDigest,
      execution.requestedBy,
      execution.executionRef.name,
      execution.executionRef.arn,
      execution.failureDetails.reason,
      'exit code 137',
    ]) {
      expect(await fields.getByText(text, { exact: false }).count(), text).toBeGreaterThan(0);
    }
    expect(await fields.getByRole('link', { name: target }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Cancel execution' }).count()).toBe(0);

    const events = page.getByRole('region', { name: 'Audit events' });
    await events.getByRole('row').nth(1).waitFor();
    const rows = await events.getByRole('row').allTextContents();
    const api = (await t.call('GET', `/executions/${execution.id}/events`)).body.items as {
      seq: number;
      type: string;
    }[];
    expect(rows.slice(1).map((row) => row.match(/^\d+/)?.[0])).toEqual(api.map((event) => String(event.seq)));
    expect(
      rows.slice(1).map((row) => api.find((event) => row.includes(event.type.replace('workflowexecution.', '')))?.seq),
    ).toEqual(api.map((event) => event.seq));
    expect(api.map((event) => event.type)).toEqual([
      'workflowexecution.selection.completed',
      'workflowexecution.execution.started',
      'workflowexecution.workflow.failed',
    ]);

    const steps = page.getByRole('region', { name: 'Steps' });
    const failedRow = steps.getByRole('row', { name: /failed step/ });
    await failedRow.waitFor();
    expect(await failedRow.getAttribute('class')).toContain('step-failed');
    expect(await failedRow.textContent()).toContain(execution.failureDetails.failedStep);
    expect(await failedRow.textContent()).toContain('exit code 137');
    await screenshot(page, 'execution-failed');
  });

  it('cancels a running execution with its button, after a confirmation', async () => {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget('long-job'), workflowId: 'wait', parameters: { SECONDS: '3600' } },
    });
    expect(created.status).toBe(201);
    watched = await suite.open(`#/executions/${created.body.id}`);
    const { page } = watched;
    await page.getByRole('button', { name: 'Cancel execution' }).waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    const confirmed: string[] = [];
    page.once('dialog', (dialog) => void (confirmed.push(dialog.message()), dialog.accept()));
    await page.getByRole('button', { name: 'Cancel execution' }).click();

    await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor();
    expect(confirmed).toEqual([expect.stringContaining(created.body.id)]);
    const after = await t.call('GET', `/executions/${created.body.id}`);
    expect(after.body).toMatchObject({ phase: 'Failed', failureDetails: { reason: 'Cancelled' } });
    await eventually(async () => expect(await page.getByRole('button', { name: 'Cancel execution' }).count()).toBe(0));
    // The run had started: its one Wait step, no longer running.
    await page.getByRole('region', { name: 'Steps' }).getByRole('row', { name: /Wait/ }).waitFor();
  });

  it('says so inline when the execution does not exist', async () => {
    watched = await suite.open('#/executions/no-such-execution');
    await watched.page.getByRole('alert').filter({ hasText: 'Could not load this execution' }).waitFor();
    // Its steps and events are 404s too: each answered (and logged) before the expected failures are set aside.
    await watched.page.getByRole('alert').filter({ hasText: 'Could not load the steps' }).waitFor();
    await watched.page.getByRole('alert').filter({ hasText: 'Could not load the audit events' }).waitFor();
    // The API's 404s, shown on the page: failed loads the page expected.
    watched.problems.splice(
      0,
      watched.problems.length,
      ...watched.problems.filter((problem) => !/status of 404/.test(problem)),
    );
  });
});
