import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_WORKFLOWS, PEOPLE, type Person, writeTokensFile } from '../support/approval-tokens.js';
import type { TestLocalMode } from '../support/local-mode.js';
import { until } from '../support/wait.js';
import { browserSuite, eventually, screenshot, unnamedControls } from './browser.js';

/** Who is signed in, the approval of an execution, and the controls a role may not use, with a tokens file of one person per role. */
describe('the status page with identities, roles and approvals', () => {
  let t: TestLocalMode;
  const suite = browserSuite(async () => {}, { workflowsDir: APPROVAL_WORKFLOWS, tokensFile: writeTokensFile() });
  beforeAll(() => {
    t = suite.t;
  });

  const target = (label: string) => `page-${randomUUID().slice(0, 8)}/deployment/${label}`;
  const as = (person: Person) => ({ token: PEOPLE[person].token });

  /** An execution of `gated-noop` requested by `person` (alice, unless said), awaiting approval. */
  async function awaiting(person: Person | 'admin' = 'alice') {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: target('gated'), workflowId: 'gated-noop' },
      ...(person !== 'admin' && as(person)),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.phase).toBe('AwaitingApproval');
    return created.body as { id: string; targetResource: string };
  }

  async function blockedTarget() {
    const blocked = target('blocked');
    const failed = await t.call('POST', '/executions', { body: { targetResource: blocked, workflowId: 'fail' } });
    expect(failed.status).toBe(201);
    await until(
      async () =>
        (await t.call('GET', `/targets/${encodeURIComponent(blocked)}`)).body.state === 'Blocked' ? true : undefined,
      20_000,
      `${blocked} to be blocked`,
    );
    return blocked;
  }

  /** The POSTs the page sent to an execution's approval route. */
  const decisionsSent = (requests: { method: string; url: string }[], id: string) =>
    requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/executions/${id}/approval`));

  /** The button is disabled once the identity is known, titled with the role it needs, and described by a visible "needs <role>". */
  async function expectNeedsRole(page: Page, button: string, role: string, within: Page | Locator = page) {
    const control = within.getByRole('button', { name: button, exact: true });
    await control.waitFor();
    await eventually(async () => expect(await control.isDisabled(), `${button} disabled`).toBe(true));
    expect(await control.getAttribute('title')).toMatch(new RegExp(`^needs the ${role} role; you are signed in as `));
    const noteId = await control.getAttribute('aria-describedby');
    expect(noteId).toBeTruthy();
    const note = page.locator(`[id="${noteId}"]`);
    expect(await note.textContent()).toBe(`needs ${role}`);
    expect(await note.isVisible()).toBe(true);
  }

  it('says in the header who is signed in and with which role', async () => {
    const { page } = await suite.open('', PEOPLE.bob.token);
    const who = page.getByLabel('Signed in');
    await eventually(async () => expect(await who.textContent()).toMatch(/Signed in as\s*token:bob\s*operator/));
    const { page: admin } = await suite.openAnother('', undefined);
    await eventually(async () =>
      expect(await admin.getByLabel('Signed in').textContent()).toMatch(/Signed in as\s*token:local-admin\s*admin/),
    );
    const { page: bot } = await suite.openAnother('', PEOPLE.chatops.token);
    await eventually(async () =>
      expect(await bot.getByLabel('Signed in').textContent()).toMatch(/token:chatops\s*operator\s*intermediary/),
    );
  });

  it('an operator finds the request under "Awaiting approval", comments and approves it; it runs, and the decision is recorded', async () => {
    const execution = await awaiting('alice');
    const watched = await suite.open('', PEOPLE.bob.token);
    const { page } = watched;
    const section = page.getByRole('region', { name: /Awaiting approval/ });
    await section.getByRole('link', { name: execution.id }).waitFor();
    // Above what runs now.
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings.findIndex((h) => h.startsWith('Awaiting approval'))).toBeLessThan(
      headings.findIndex((h) => h.startsWith('Running now')),
    );
    await section.getByRole('link', { name: execution.id }).click();

    const approval = page.getByRole('region', { name: 'Approval' });
    await approval.getByText('0 of 1 approval').waitFor();
    await approval.getByText('No decision yet.').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'execution-awaiting-approval');

    await approval.getByLabel('Comment').fill('checked the dashboard; <b>go</b>');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    await eventually(async () => expect(await page.locator('.summary .badge').textContent()).toBe('Completed'), 20_000);

    const stored = (await t.call('GET', `/executions/${execution.id}`)).body;
    expect(stored.approval.decisions).toEqual([
      { by: 'token:bob', decision: 'approve', comment: 'checked the dashboard; <b>go</b>', at: expect.any(String) },
    ]);
    // The decisions so far stay listed, as text; the form is gone once it no longer awaits approval.
    await approval.getByRole('cell', { name: 'checked the dashboard; <b>go</b>' }).waitFor();
    expect(await approval.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    expect(decisionsSent(watched.requests, execution.id)).toHaveLength(1);
  });

  it('a rejection needs a comment: the page says so and sends nothing; with one, the execution ends Failed (Rejected)', async () => {
    const execution = await awaiting('alice');
    const watched = await suite.open(`#/executions/${execution.id}`, PEOPLE.carol.token);
    const { page } = watched;
    const approval = page.getByRole('region', { name: 'Approval' });
    await approval.getByRole('button', { name: 'Reject' }).click();
    await approval.getByRole('alert').filter({ hasText: 'a rejection needs a comment' }).waitFor();
    await approval.getByLabel('Comment').fill('   ');
    await approval.getByRole('button', { name: 'Reject' }).click();
    await approval.getByRole('alert').filter({ hasText: 'a rejection needs a comment' }).waitFor();
    expect(decisionsSent(watched.requests, execution.id)).toEqual([]);
    expect((await t.call('GET', `/executions/${execution.id}`)).body.phase).toBe('AwaitingApproval');

    await approval.getByLabel('Comment').fill('not during the sale');
    await approval.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('status').filter({ hasText: 'Rejected: the execution is now Failed (Rejected)' }).waitFor();
    expect((await t.call('GET', `/executions/${execution.id}`)).body).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Rejected' },
      approval: { decisions: [{ by: 'token:carol', decision: 'reject', comment: 'not during the sale' }] },
    });
  });

  it("shows the API's refusal: the requester approving their own request (403), and a second decision by the same person (409)", async () => {
    const own = await awaiting('admin');
    const watched = await suite.open(`#/executions/${own.id}`);
    const { page } = watched;
    await page.getByRole('region', { name: 'Approval' }).getByRole('button', { name: 'Approve' }).click();
    const refused = await t.call('POST', `/executions/${own.id}/approval`, { body: { decision: 'approve' } });
    expect(refused.status).toBe(403);
    await page
      .getByRole('alert')
      .filter({ hasText: `Not approved (403 Forbidden): ${refused.body.error.message}` })
      .waitFor();

    const twice = (
      await t.call('POST', '/executions', {
        body: { targetResource: target('twice'), workflowId: 'two-approvals' },
        ...as('alice'),
      })
    ).body;
    const another = await suite.openAnother(`#/executions/${twice.id}`, PEOPLE.bob.token);
    const bob = another.page;
    const approval = bob.getByRole('region', { name: 'Approval' });
    await approval.getByRole('button', { name: 'Approve' }).click();
    await bob.getByRole('status').filter({ hasText: 'Approved: it still awaits more approvals.' }).waitFor();
    await approval.getByText('1 of 2 approvals').waitFor();
    await approval.getByRole('button', { name: 'Approve' }).click();
    await bob.getByRole('alert').filter({ hasText: 'Not approved (409 Conflict)' }).waitFor();
    // The API's 403 and 409, shown on the page: failed loads the page expected.
    for (const { problems } of [watched, another])
      problems.splice(0, problems.length, ...problems.filter((problem) => !/status of 40[39]/.test(problem)));
  });

  it('a reader and a requester see the controls they may not use disabled, naming the role they need', async () => {
    const execution = await awaiting('alice');
    const blocked = await blockedTarget();
    for (const person of ['rita', 'alice'] as const) {
      const { page } = await suite.openAnother(`#/executions/${execution.id}`, PEOPLE[person].token);
      await expectNeedsRole(page, 'Approve', 'operator');
      await expectNeedsRole(page, 'Reject', 'operator');
      await expectNeedsRole(page, 'Cancel execution', 'operator');
      if (person === 'rita') await screenshot(page, 'execution-reader', { committed: false });

      await page.goto(`${t.local.urls.api}/ui/#/targets/${encodeURIComponent(blocked)}`);
      await expectNeedsRole(page, 'Clear block', 'operator');

      await page.goto(`${t.local.urls.api}/ui/#/workflows`);
      const form = page.getByRole('form', { name: 'Run noop version 1' });
      if (person === 'rita') await expectNeedsRole(page, 'Run', 'requester', form);
      else {
        await form.getByRole('button', { name: 'Run' }).waitFor();
        expect(await form.getByRole('button', { name: 'Run' }).isDisabled()).toBe(false);
        expect(await form.getByText('needs requester').count()).toBe(0);
      }
    }
    // Nothing was decided, cancelled or cleared.
    expect((await t.call('GET', `/executions/${execution.id}`)).body.phase).toBe('AwaitingApproval');
    expect((await t.call('GET', `/targets/${encodeURIComponent(blocked)}`)).body.state).toBe('Blocked');

    // An operator has them all.
    const { page } = await suite.openAnother(`#/executions/${execution.id}`, PEOPLE.bob.token);
    for (const name of ['Approve', 'Reject', 'Cancel execution']) {
      const control = page.getByRole('button', { name, exact: true });
      await control.waitFor();
      await eventually(async () => expect(await control.isDisabled()).toBe(false));
    }
    expect(await page.getByText('needs operator').count()).toBe(0);
  });
});
