import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

const APPROVAL_WORKFLOWS = fileURLToPath(new URL('../../support/fixtures/approval-workflows/', import.meta.url));
const encode = encodeURIComponent;

/**
 * `POST /executions/{id}/approval`, the cancel body and the AwaitingApproval listings, through
 * local mode's real HTTP server. Every call is made with one intermediary's token (`token:broker`,
 * admin): the other person of a decision is the `onBehalfOf` of the request or of the decision.
 */
describe('approvals through the HTTP API', () => {
  let t: TestLocalMode;
  const BROKER = 'broker-intermediary-token-0123456789';
  beforeAll(async () => {
    const tokensFile = join(mkdtempSync(join(tmpdir(), 'lockstep-tokens-')), 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify([{ name: 'broker', token: BROKER, role: 'admin', intermediary: true }]));
    t = await startTestLocalMode({}, { workflowsDir: APPROVAL_WORKFLOWS, tokensFile });
  });
  afterAll(() => t.local.stop());
  const call = (...[method, path, options = {}]: Parameters<TestLocalMode['call']>) =>
    t.call(method, path, { token: BROKER, ...options });

  const create = async (workflowId = 'approved-noop', more: Record<string, unknown> = {}) => {
    const created = await call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId, ...more },
    });
    expect(created.status).toBe(201);
    expect(created.body.phase).toBe('AwaitingApproval');
    return created.body as { id: string; targetResource: string; approval: { requiredBy: string } };
  };
  const decide = (id: string, body: unknown) => call('POST', `/executions/${encode(id)}/approval`, { body });
  const target = async (resource: string) => (await call('GET', `/targets/${encode(resource)}`)).body;

  it('admits a request whose workflow needs approval as AwaitingApproval (201) and lists it by phase and by target state', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    expect(execution).toMatchObject({
      requestedBy: 'token:broker',
      onBehalfOf: 'alice',
      approval: { approvalsNeeded: 1, decisions: [] },
    });
    const byPhase = await call('GET', '/executions?phase=AwaitingApproval');
    expect(byPhase.status).toBe(200);
    expect(byPhase.body.items.map((e: { id: string }) => e.id)).toContain(execution.id);
    const byState = await call('GET', '/targets?state=AwaitingApproval');
    expect(byState.status).toBe(200);
    expect(byState.body.items).toContainEqual(
      expect.objectContaining({
        targetResource: execution.targetResource,
        state: 'AwaitingApproval',
        currentExecutionId: execution.id,
      }),
    );
    expect(
      (await call('GET', '/targets?state=Running')).body.items.map((i: { targetResource: string }) => i.targetResource),
    ).not.toContain(execution.targetResource);
    expect((await target(execution.targetResource)).state).toBe('AwaitingApproval');
    // A target that does not match a workflow's approval pattern runs at once.
    const direct = await call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'prod-approved-noop' },
    });
    expect(direct.body.phase).not.toBe('AwaitingApproval');
    const prod = await call('POST', '/executions', {
      body: { targetResource: `prod/deployment/${uniqueTarget().split('/')[0]}`, workflowId: 'prod-approved-noop' },
    });
    expect(prod.body.phase).toBe('AwaitingApproval');
  });

  it('200: another person approves and it runs to Completed; the metric counts the approval', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    const mark = t.metricLines.length;
    const approved = await decide(execution.id, { decision: 'approve', comment: 'ok' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      phase: 'Pending',
      approval: { decisions: [{ by: 'token:broker', decision: 'approve', comment: 'ok' }] },
    });
    await t.settle();
    expect((await call('GET', `/executions/${execution.id}`)).body.phase).toBe('Completed');
    const events = (await call('GET', `/executions/${execution.id}/events`)).body.items;
    expect(events.map((e: { type: string }) => e.type)).toContain('workflowexecution.approval.decided');
    expect(t.metricsSince(mark).filter((m) => m.workflowexecution_approval_total !== undefined)).toEqual([
      expect.objectContaining({ decision: 'approve', workflowexecution_approval_total: 1 }),
    ]);
  });

  it('403: the requester may not decide, directly or as an intermediary for them; nothing is written', async () => {
    const mine = await create();
    const forAlice = await create('approved-noop', { onBehalfOf: 'alice' });
    for (const [id, body] of [
      [mine.id, { decision: 'approve' }],
      [mine.id, { decision: 'reject', comment: 'no' }],
      [forAlice.id, { decision: 'approve', onBehalfOf: 'alice' }],
    ] as const) {
      const before = (await call('GET', `/executions/${id}`)).body;
      const refused = await decide(id, body);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        code: 'Forbidden',
        message: expect.stringContaining('approval by its requester'),
      });
      expect((await call('GET', `/executions/${id}`)).body).toEqual(before);
    }
  });

  it('409: a person decides once; a decided or ended execution takes no decision', async () => {
    const execution = await create('two-person-wait', { parameters: { SECONDS: '0' }, onBehalfOf: 'alice' });
    expect((await decide(execution.id, { decision: 'approve' })).body.phase).toBe('AwaitingApproval');
    const twice = await decide(execution.id, { decision: 'approve' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('already decided');
    expect((await decide(execution.id, { decision: 'reject', comment: 'changed my mind' })).status).toBe(409);
    expect((await decide(execution.id, { decision: 'approve', onBehalfOf: 'bob' })).body.phase).toBe('Pending');
    const after = await decide(execution.id, { decision: 'approve', onBehalfOf: 'carol' });
    expect(after.status).toBe(409);
    expect(after.body.error.message).toContain('not awaiting approval');
    await t.settle();
  });

  it('409 once requiredBy has passed: it has expired, and is recorded so', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    t.clock.advanceSeconds(600);
    const late = await decide(execution.id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('expired');
    expect((await call('GET', `/executions/${execution.id}`)).body).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'ApprovalExpired', wasExecutionFailure: false },
    });
  });

  it('a reject (with its comment) ends it Failed/Rejected and leaves the target Idle', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    const rejected = await decide(execution.id, { decision: 'reject', comment: 'not now' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Rejected', wasExecutionFailure: false },
    });
    expect(await target(execution.targetResource)).toMatchObject({ state: 'Idle', consecutiveFailures: 0 });
    expect((await target(execution.targetResource)).lastExecutionId).toBeUndefined();
  });

  it('404 for an execution that does not exist', async () => {
    expect((await decide('no-such-execution', { decision: 'approve' })).status).toBe(404);
    expect((await decide('bad id!', { decision: 'approve' })).status).toBe(404);
  });

  it.each([
    ['a reject without a comment', { decision: 'reject' }, 'body.comment'],
    ['a blank comment', { decision: 'reject', comment: '   ' }, 'body.comment'],
    ['a comment over 1024 characters', { decision: 'approve', comment: 'x'.repeat(1025) }, 'body.comment'],
    ['an unknown decision', { decision: 'maybe' }, 'body.decision'],
    ['no decision', {}, 'body.decision'],
    ['an unknown field', { decision: 'approve', approvedBy: 'bob' }, 'body.approvedBy'],
    ['a bad onBehalfOf', { decision: 'approve', onBehalfOf: ' bob' }, 'body.onBehalfOf'],
    ['a body that is not an object', ['approve'], 'body'],
  ])('400 for %s, and nothing is written', async (_, body, where) => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    const refused = await decide(execution.id, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ValidationError');
    expect(refused.body.error.details.join('\n')).toContain(where);
    expect((await call('GET', `/executions/${execution.id}`)).body).toEqual(execution);
  });

  it('400 without a body', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    expect((await call('POST', `/executions/${execution.id}/approval`)).status).toBe(400);
  });

  it('cancel takes an optional body with onBehalfOf: Failed/Cancelled, cancelledBy the identity, the target untouched; unknown fields are 400', async () => {
    const execution = await create('approved-noop', { onBehalfOf: 'alice' });
    const bad = await call('POST', `/executions/${execution.id}/cancel`, { body: { clearedBy: 'x' } });
    expect(bad.status).toBe(400);
    const cancelled = await call('POST', `/executions/${execution.id}/cancel`, { body: { onBehalfOf: 'erin' } });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({
      phase: 'Failed',
      cancelledBy: 'token:broker',
      failureDetails: { reason: 'Cancelled', wasExecutionFailure: false },
    });
    const events = (await call('GET', `/executions/${execution.id}/events`)).body.items;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'workflowexecution.execution.cancelled',
        actor: 'token:broker',
        payload: expect.objectContaining({ onBehalfOf: 'erin' }),
      }),
    );
    expect(await target(execution.targetResource)).toMatchObject({ state: 'Idle' });
    expect((await target(execution.targetResource)).lastExecutionId).toBeUndefined();
  });
});
