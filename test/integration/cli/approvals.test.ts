import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { APPROVAL_WORKFLOWS, PEOPLE, type Person, writeTokensFile } from '../../support/approval-tokens.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { until } from '../../support/wait.js';
import { errorText, json, lockstep, startLockstep } from './cli-process.js';

/** The identity, role and approval commands as people with different roles run them, against local mode with a tokens file. */
describe('lockstep whoami, approve, reject, --on-behalf-of, clear', () => {
  let mode: TestLocalMode;
  let api: string;
  const target = (label: string) => `cli-${randomUUID().slice(0, 8)}/deployment/${label}`;
  /** The command's environment for one person (the printed admin token when none is named). */
  const as = (person?: Person) => ({
    LOCKSTEP_API_URL: api,
    LOCKSTEP_TOKEN: person ? PEOPLE[person].token : TEST_TOKEN,
  });
  const call = (person: Person | undefined, method: string, path: string, body?: unknown) =>
    mode.call(method, path, { token: person ? PEOPLE[person].token : TEST_TOKEN, ...(body !== undefined && { body }) });

  beforeAll(async () => {
    mode = await startTestLocalMode(
      {},
      { realClock: systemClock, workflowsDir: APPROVAL_WORKFLOWS, tokensFile: writeTokensFile() },
    );
    api = mode.local.urls.api;
  });
  afterAll(() => mode?.local.stop());

  /** An execution of `workflow` requested by alice, awaiting approval. */
  async function awaiting(workflow = 'gated-noop', label = 'gated') {
    const created = await call('alice', 'POST', '/executions', { targetResource: target(label), workflowId: workflow });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.phase).toBe('AwaitingApproval');
    return created.body as { id: string; targetResource: string };
  }

  const ended = (id: string) =>
    until(
      async () => {
        const { body } = await mode.call('GET', `/executions/${id}`);
        return ['Completed', 'Failed', 'Skipped'].includes(body.phase) ? body : undefined;
      },
      20_000,
      `execution ${id} to end`,
    );

  it('whoami: the identity, role and intermediary flag of each credential; -o json is GET /identity', async () => {
    for (const person of ['rita', 'alice', 'bob', 'chatops'] as const) {
      const printed = await lockstep(['whoami', '-o', 'json'], as(person));
      expect(printed.code, printed.stderr).toBe(0);
      expect(json(printed)).toEqual((await call(person, 'GET', '/identity')).body);
      expect(json(printed)).toEqual({
        identity: `token:${person}`,
        role: PEOPLE[person].role,
        intermediary: person === 'chatops',
      });
    }
    const table = await lockstep(['whoami'], as('chatops'));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Identity: +token:chatops$/m);
    expect(table.stdout).toMatch(/^Role: +operator$/m);
    expect(table.stdout).toMatch(/^Intermediary: +yes/m);
    const admin = await lockstep(['whoami'], as());
    expect(admin.stdout).toMatch(/^Identity: +token:local-admin$/m);
    expect(admin.stdout).toMatch(/^Role: +admin$/m);
    expect(admin.stdout).toMatch(/^Intermediary: +no$/m);

    const wrong = await lockstep(['whoami'], {
      LOCKSTEP_API_URL: api,
      LOCKSTEP_TOKEN: 'not-a-token-of-this-engine-000',
    });
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toMatch(/^Unauthorized: /);
  });

  it('run: exits 0 for an execution awaiting approval, printing it and the command that approves it', async () => {
    const t = target('run-awaiting');
    const result = await lockstep(['run', 'gated-noop', t, '-o', 'json'], as('alice'));
    expect(result.code, result.stderr).toBe(0);
    const printed = json(result);
    expect(printed).toEqual((await mode.call('GET', `/executions/${printed.id}`)).body);
    expect(printed).toMatchObject({
      targetResource: t,
      phase: 'AwaitingApproval',
      requestedBy: 'token:alice',
      approval: { approvalsNeeded: 1, decisions: [] },
    });
    expect(result.stderr).toContain(`lockstep approve ${printed.id}`);

    const table = await lockstep(['run', 'gated-noop', target('run-awaiting-table')], as('alice'));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Phase: +AwaitingApproval$/m);
    expect(table.stdout).toMatch(/^Approval: +0 of 1 approvals, needed by \S+/m);
  });

  it('approve: records the decision by the caller (with its comment) and the execution starts; the requester, a reader and a second decision are refused with the API message, exit 1', async () => {
    const execution = await awaiting();
    const reader = await lockstep(['approve', execution.id], as('rita'));
    const readerApi = await call('rita', 'POST', `/executions/${execution.id}/approval`, { decision: 'approve' });
    expect(readerApi.status).toBe(403);
    expect(reader).toEqual({ code: 1, stdout: '', stderr: errorText(readerApi.body) });
    expect(reader.stderr).toContain('operator');

    const approved = await lockstep(
      ['approve', execution.id, '--comment', 'checked the dashboard', '-o', 'json'],
      as('bob'),
    );
    expect(approved.code, approved.stderr).toBe(0);
    expect(json(approved)).toMatchObject({
      id: execution.id,
      approval: { decisions: [{ by: 'token:bob', decision: 'approve', comment: 'checked the dashboard' }] },
    });
    expect(['Pending', 'Running', 'Completed']).toContain(json(approved).phase);
    expect((await ended(execution.id)).phase).toBe('Completed');

    const again = await lockstep(['approve', execution.id], as('carol'));
    const againApi = await call('carol', 'POST', `/executions/${execution.id}/approval`, { decision: 'approve' });
    expect(againApi.status).toBe(409);
    expect(again).toEqual({ code: 1, stdout: '', stderr: errorText(againApi.body) });

    // Four eyes: the admin's own request is not theirs to approve.
    const own = await call(undefined, 'POST', '/executions', {
      targetResource: target('own'),
      workflowId: 'gated-noop',
    });
    const byRequester = await lockstep(['approve', own.body.id], as());
    const byRequesterApi = await call(undefined, 'POST', `/executions/${own.body.id}/approval`, {
      decision: 'approve',
    });
    expect(byRequesterApi.status).toBe(403);
    expect(byRequester).toEqual({ code: 1, stdout: '', stderr: errorText(byRequesterApi.body) });
    expect((await mode.call('GET', `/executions/${own.body.id}`)).body).toMatchObject({
      phase: 'AwaitingApproval',
      approval: { decisions: [] },
    });
  });

  it('approve: with two approvals needed, the first leaves it awaiting (said on standard error), the second starts it; get shows both decisions', async () => {
    const execution = await awaiting('two-approvals', 'two');
    const first = await lockstep(['approve', execution.id], as('bob'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Phase: +AwaitingApproval$/m);
    expect(first.stderr).toContain('1 of 2 approvals');
    const second = await lockstep(['approve', execution.id, '--comment', 'second pair of eyes'], as('carol'));
    expect(second.code, second.stderr).toBe(0);
    expect((await ended(execution.id)).phase).toBe('Completed');

    const shown = await lockstep(['get', execution.id], as('rita'));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Approval: +2 of 2 approvals$/m);
    expect(shown.stdout).toMatch(/^Decisions: +\S+ approve by token:bob$/m);
    expect(shown.stdout).toMatch(/^ +\S+ approve by token:carol: second pair of eyes$/m);
    expect(shown.stdout).toMatch(/^Requested by: +token:alice \(api\)$/m);
  });

  it('reject: needs --comment (a usage error before anything is sent, blank included); with one, the execution ends Failed (Rejected)', async () => {
    const execution = await awaiting();
    for (const args of [[], ['--comment', ''], ['--comment', '   ']]) {
      const refused = await lockstep(['reject', execution.id, ...args], as('bob'));
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(/--comment/);
    }
    expect((await mode.call('GET', `/executions/${execution.id}`)).body).toMatchObject({
      phase: 'AwaitingApproval',
      approval: { decisions: [] },
    });

    const rejected = await lockstep(
      ['reject', execution.id, '--comment', 'not during the sale', '-o', 'json'],
      as('bob'),
    );
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(json(rejected)).toEqual((await mode.call('GET', `/executions/${execution.id}`)).body);
    expect(json(rejected)).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Rejected' },
      approval: { decisions: [{ by: 'token:bob', decision: 'reject', comment: 'not during the sale' }] },
    });
  });

  it('--on-behalf-of: an intermediary may name the person it acts for (after the command or before it); from anyone else it is the API 403, exit 1; a command that decides nothing refuses it', async () => {
    const ran = await lockstep(
      ['run', 'gated-noop', target('bot-run'), '--on-behalf-of', 'Dana', '-o', 'json'],
      as('chatops'),
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(json(ran)).toMatchObject({ requestedBy: 'token:chatops', onBehalfOf: 'Dana', phase: 'AwaitingApproval' });

    const execution = await awaiting();
    const approved = await lockstep(['--on-behalf-of', 'Erin', 'approve', execution.id, '-o', 'json'], as('chatops'));
    expect(approved.code, approved.stderr).toBe(0);
    expect(json(approved).approval.decisions).toEqual([
      expect.objectContaining({ by: 'token:chatops', onBehalfOf: 'Erin', decision: 'approve' }),
    ]);

    const other = await awaiting();
    const notIntermediary = await lockstep(['approve', other.id, '--on-behalf-of', 'Erin'], as('bob'));
    const api403 = await call('bob', 'POST', `/executions/${other.id}/approval`, {
      decision: 'approve',
      onBehalfOf: 'Erin',
    });
    expect(api403.status).toBe(403);
    expect(notIntermediary).toEqual({ code: 1, stdout: '', stderr: errorText(api403.body) });
    expect((await mode.call('GET', `/executions/${other.id}`)).body.approval.decisions).toEqual([]);

    const cancelled = await lockstep(['cancel', other.id, '--on-behalf-of', 'Erin', '-o', 'json'], as('chatops'));
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(json(cancelled)).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Cancelled' },
      cancelledBy: 'token:chatops',
    });

    for (const args of [
      ['ls', '--on-behalf-of', 'Erin'],
      ['--on-behalf-of', 'Erin', 'whoami'],
    ]) {
      const refused = await lockstep(args, as('chatops'));
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(/--on-behalf-of/);
    }
    const unprintable = await lockstep(['approve', other.id, '--on-behalf-of', 'Erin\u0007'], as('chatops'));
    expect(unprintable).toMatchObject({ code: 1, stdout: '' });
    expect(unprintable.stderr).toMatch(/printable/);
  });

  it('clear: the clearer is the caller (no --by; --by is refused before anything is sent); an intermediary adds --on-behalf-of', async () => {
    const t = target('blocked');
    expect((await lockstep(['run', 'fail', t, '--wait'], as())).code).toBe(2);
    expect((await mode.call('GET', `/targets/${encodeURIComponent(t)}`)).body.state).toBe('Blocked');

    const withBy = await lockstep(['clear', t, '--reason', 'fixed', '--by', 'alice'], as('bob'));
    expect(withBy).toMatchObject({ code: 1, stdout: '' });
    expect(withBy.stderr).toMatch(/--by .*credentials.*--on-behalf-of/);
    expect((await mode.call('GET', `/targets/${encodeURIComponent(t)}`)).body).toMatchObject({
      state: 'Blocked',
      blockClearances: [],
    });

    const byRequester = await lockstep(['clear', t, '--reason', 'fixed'], as('alice'));
    expect(byRequester).toMatchObject({ code: 1, stdout: '' });
    expect(byRequester.stderr).toMatch(/^Forbidden: .*operator/);

    const cleared = await lockstep(['clear', t, '--reason', 'fixed the config (INC-1)', '-o', 'json'], as('bob'));
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(json(cleared).blockClearances).toEqual([
      { clearedAt: expect.any(String), clearedBy: 'token:bob', reason: 'fixed the config (INC-1)' },
    ]);

    const other = target('blocked-bot');
    expect((await lockstep(['run', 'fail', other, '--wait'], as())).code).toBe(2);
    const byBot = await lockstep(['clear', other, '--reason', 'ok', '--on-behalf-of', 'Dana'], as('chatops'));
    expect(byBot.code, byBot.stderr).toBe(0);
    expect(byBot.stdout).toMatch(/^Clearances: +\S+ by token:chatops for Dana: ok$/m);
  });

  it('run --wait follows the execution through its approval to its end: exit 0 once another person approves, 2 once rejected', async () => {
    for (const [decision, code, end] of [
      ['approve', 0, 'Completed'],
      ['reject', 2, 'Failed (Rejected)'],
    ] as const) {
      const running = startLockstep(
        ['run', 'gated-noop', target(`wait-${decision}`), '--wait', '-o', 'json'],
        as('alice'),
      );
      // Decide only once the command has seen the execution awaiting approval.
      const id = await until(
        () => /execution (\S+): .*\n.*AwaitingApproval/.exec(running.stderr())?.[1],
        30_000,
        'the command to print AwaitingApproval',
      );
      const decided = await call('bob', 'POST', `/executions/${id}/approval`, {
        decision,
        ...(decision === 'reject' && { comment: 'no' }),
      });
      expect(decided.status).toBe(200);
      const result = await running.result;
      expect(result.code, result.stderr).toBe(code);
      expect(json(result)).toEqual((await mode.call('GET', `/executions/${id}`)).body);
      const phases = result.stderr
        .split('\n')
        .map((line) => /^ +\d+\.\ds {2}(.+?)(?::|$)/.exec(line)?.[1])
        .filter(Boolean);
      expect(phases[0]).toBe('AwaitingApproval');
      expect(phases.at(-1)).toBe(end);
      expect(result.stderr).toContain(`lockstep approve ${id}`);
    }
  });

  it('ls --phase AwaitingApproval and targets --state AwaitingApproval print what the listings answer', async () => {
    const execution = await awaiting('gated-noop', 'listed');
    const listed = await lockstep(['ls', '--phase', 'AwaitingApproval', '--limit', '100', '-o', 'json'], as('rita'));
    expect(listed.code, listed.stderr).toBe(0);
    expect(json(listed)).toEqual((await mode.call('GET', '/executions?phase=AwaitingApproval&limit=100')).body);
    expect(json(listed).items.map((e: { id: string }) => e.id)).toContain(execution.id);

    const targets = await lockstep(['targets', '--state', 'AwaitingApproval', '-o', 'json'], as('rita'));
    expect(targets.code, targets.stderr).toBe(0);
    expect(json(targets)).toEqual((await mode.call('GET', '/targets?state=AwaitingApproval&limit=100')).body);
    expect(json(targets).items).toContainEqual(
      expect.objectContaining({
        targetResource: execution.targetResource,
        state: 'AwaitingApproval',
        currentExecutionId: execution.id,
      }),
    );
  });
});
