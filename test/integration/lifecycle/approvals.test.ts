import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { ConflictError, ForbiddenError } from '../../../lib/domain/errors.js';
import { executionName } from '../../../lib/domain/execution-name.js';
import { createSweeperHandler } from '../../../lib/handlers/sweeper-handler.js';
import { LocalDeadlineTimers } from '../../../lib/local/deadline-timers.js';
import { cancelExecution } from '../../../lib/use-cases/cancel-execution.js';
import { decideApproval } from '../../../lib/use-cases/decide-approval.js';
import { enforceDeadlineOf } from '../../../lib/use-cases/enforce-deadline.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { FaultInjector } from '../../support/fault-injector.js';
import { allExecutions, checkDomainEvents, checkInvariants } from '../../support/invariants.js';
import { expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';
import { until } from '../../support/wait.js';

const APPROVAL_WORKFLOWS = fileURLToPath(new URL('../../support/fixtures/approval-workflows/', import.meta.url));
const { SelectionCompleted, ApprovalRequested, ApprovalDecided, ApprovalExpired, ExecutionCancelled } = AuditEventType;
const { ExecutionStarted, WorkflowCompleted, WorkflowFailed } = AuditEventType;

/** The approval lifecycle against DynamoDB Local and the local Step Functions endpoint. */
describe('approvals', () => {
  let t: TestEngine;
  /** Deadlines as local mode arms them, on a clock 599 s ahead: an approval's 600 s deadline fires about a second after it is armed. */
  let timers: LocalDeadlineTimers;
  beforeAll(async () => {
    const built: { t?: TestEngine } = {};
    timers = new LocalDeadlineTimers({
      clock: { now: () => new Date(built.t!.clock.now().getTime() + 599_000) },
      check: (executionId) => enforceDeadlineOf(built.t!.engine, executionId),
      onError: () => undefined,
    });
    t = await createTestEngine({
      workflowsDir: APPROVAL_WORKFLOWS,
      deadlines: timers,
      policy: { cooldownSeconds: 300 },
    });
    built.t = t;
  });
  afterAll(async () => {
    timers.cancelAll();
    await t.close();
  });

  const request = (targetResource: string, workflowId = 'approved-noop', more: Record<string, unknown> = {}) =>
    requestExecution(t.engine, { targetResource, workflowId, requestedBy: 'token:alice', source: 'api', ...more });
  const awaiting = async (targetResource: string, workflowId = 'approved-noop', more: Record<string, unknown> = {}) => {
    const result = await request(targetResource, workflowId, more);
    expect(result.kind).toBe('awaiting-approval');
    return result.record.execution;
  };
  /** The runs Step Functions has under the execution's target (its deterministic names). */
  const runsOn = (targetResource: string) =>
    t.events.filter((e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(JSON.stringify(targetResource)))
      .length;
  const approvalMetrics = (executionId: string) =>
    t.metricLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((m) => m.workflowexecution_approval_total !== undefined && m.executionId === executionId)
      .map((m) => m.decision);
  /** A target with a history (a completed run whose cooldown has passed): what "as before" must keep. */
  const targetWithHistory = async () => {
    const target = uniqueTarget();
    await requestExecution(t.engine, {
      targetResource: target,
      workflowId: 'noop',
      requestedBy: 'test',
      source: 'api',
    });
    await t.settle();
    t.clock.advanceSeconds(301);
    return target;
  };

  it('admits AwaitingApproval: the lock and its token are taken, nothing runs, the target and listings show it, the event is published', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    expect(execution).toMatchObject({
      phase: 'AwaitingApproval',
      approval: {
        requiredBy: new Date(Date.parse(execution.createdAt) + 600_000).toISOString(),
        approvalsNeeded: 1,
        decisions: [],
      },
    });
    const state = await t.store.getTarget(target);
    expect(state.holder?.execution.id).toBe(execution.id);
    expect(state.fencingToken).toBe(1);
    expect((await t.store.getExecution(execution.id))?.events.map((e) => e.type)).toEqual([
      SelectionCompleted,
      ApprovalRequested,
    ]);
    await t.settle();
    expect(runsOn(target)).toBe(0);
    const held = await t.store.listTargets({ state: 'AwaitingApproval', at: t.clock.now(), limit: 100 });
    expect(held.items.map((i) => i.targetResource)).toContain(target);
    const running = await t.store.listTargets({ state: 'Running', at: t.clock.now(), limit: 100 });
    expect(running.items.map((i) => i.targetResource)).not.toContain(target);
    const listed = await t.store.listActiveExecutions({ phase: 'AwaitingApproval', limit: 100 });
    expect(listed.items.map((e) => e.id)).toContain(execution.id);
    expect((await t.store.listActiveExecutions({ phase: 'Pending', limit: 100 })).items.map((e) => e.id)).not.toContain(
      execution.id,
    );
    const byTarget = await t.store.listExecutions({ targetResource: target, phase: 'AwaitingApproval', limit: 10 });
    expect(byTarget.items.map((e) => e.id)).toEqual([execution.id]);
    const created = await t.store.listExecutionsCreated({ since: execution.createdAt, limit: 100 });
    expect(created.items.find((e) => e.id === execution.id)?.phase).toBe('AwaitingApproval');
    const published = t.domainEvents.filter((e) => (e.detail as { id: string }).id === execution.id);
    expect(published.map((e) => e['detail-type'])).toEqual(['WorkflowExecution AwaitingApproval']);
    expect(published[0]!.detail).toEqual(execution);
    // A second request for the target is refused: it is busy.
    expect((await request(target, 'noop')).kind).toBe('skipped');
  });

  it('one approval by another person starts it, once, under its deterministic name; it ends Completed', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    const approved = await decideApproval(t.engine, {
      executionId: execution.id,
      by: 'token:bob',
      decision: 'approve',
      comment: 'looks right',
    });
    expect(approved.execution.phase).toBe('Pending');
    await t.settle();
    const record = await t.recorded(execution.id);
    expect(record.execution).toMatchObject({ phase: 'Completed', executionRef: { name: executionName(target, 1) } });
    expect(record.execution.approval?.decisions).toEqual([
      { by: 'token:bob', decision: 'approve', comment: 'looks right', at: expect.any(String) },
    ]);
    expectAuditTrail(record, [
      SelectionCompleted,
      ApprovalRequested,
      ApprovalDecided,
      ExecutionStarted,
      WorkflowCompleted,
    ]);
    expect(record.events[2]).toMatchObject({
      actor: 'token:bob',
      payload: { decision: 'approve', comment: 'looks right' },
    });
    expect(runsOn(target)).toBe(1);
    expect(approvalMetrics(execution.id)).toEqual(['approve']);
    const types = t.domainEvents
      .filter((e) => (e.detail as { id: string }).id === execution.id)
      .map((e) => e['detail-type']);
    expect(types).toEqual([
      'WorkflowExecution AwaitingApproval',
      'WorkflowExecution Started',
      'WorkflowExecution Completed',
    ]);
  });

  it('with two approvals needed, the first keeps it waiting and the second (another person) starts it', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target, 'two-person-wait', { parameters: { SECONDS: '0' } });
    const first = await decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' });
    expect(first.execution.phase).toBe('AwaitingApproval');
    expect((await t.store.getTarget(target)).holder?.execution.approval?.decisions).toHaveLength(1);
    await t.settle();
    expect(runsOn(target)).toBe(0);
    await expect(
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
    ).rejects.toThrow(ConflictError);
    // An intermediary cannot decide again for a person who has decided.
    await expect(
      decideApproval(t.engine, {
        executionId: execution.id,
        by: 'token:chatbot',
        onBehalfOf: 'token:bob',
        decision: 'approve',
      }),
    ).rejects.toThrow(/already decided/);
    await decideApproval(t.engine, {
      executionId: execution.id,
      by: 'token:chatbot',
      onBehalfOf: 'carol',
      decision: 'approve',
    });
    await t.settle();
    const record = await t.recorded(execution.id);
    expect(record.execution.phase).toBe('Completed');
    expect(record.execution.approval?.decisions.map((d) => d.onBehalfOf ?? d.by)).toEqual(['token:bob', 'carol']);
    expect(record.events.filter((e) => e.type === ApprovalDecided).map((e) => [e.actor, e.payload.onBehalfOf])).toEqual(
      [
        ['token:bob', undefined],
        ['token:chatbot', 'carol'],
      ],
    );
    expect(runsOn(target)).toBe(1);
  });

  it('the four-eyes rule: the requester (directly or through an intermediary) is refused, 403, and nothing is written', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    const before = await t.store.getTarget(target);
    for (const who of [{ by: 'token:alice' }, { by: 'token:chatbot', onBehalfOf: 'token:alice' }]) {
      for (const decision of ['approve', 'reject'] as const) {
        const attempt = decideApproval(t.engine, { executionId: execution.id, ...who, decision, comment: 'mine' });
        await expect(attempt).rejects.toThrow(ForbiddenError);
        await expect(
          decideApproval(t.engine, { executionId: execution.id, ...who, decision, comment: 'mine' }),
        ).rejects.toThrow(/approval by its requester/);
      }
    }
    expect(await t.store.getTarget(target)).toEqual(before);
    // Requested by an intermediary for a person: that person may not decide either.
    const other = uniqueTarget();
    const forCarol = await awaiting(other, 'approved-noop', { requestedBy: 'token:chatbot', onBehalfOf: 'carol' });
    await expect(
      decideApproval(t.engine, { executionId: forCarol.id, by: 'carol', decision: 'approve' }),
    ).rejects.toThrow(ForbiddenError);
    await decideApproval(t.engine, { executionId: forCarol.id, by: 'token:bob', decision: 'approve' });
    await t.settle();
    expect((await t.recorded(forCarol.id)).execution.phase).toBe('Completed');
  });

  it('a reject ends it Failed/Rejected, nothing ran, and the target is exactly as before the request', async () => {
    const target = await targetWithHistory();
    const before = await t.store.getTarget(target);
    const execution = await awaiting(target);
    const rejected = await decideApproval(t.engine, {
      executionId: execution.id,
      by: 'token:bob',
      decision: 'reject',
      comment: 'not during the sale',
    });
    expect(rejected.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'Rejected', wasExecutionFailure: false },
    });
    expectAuditTrail(rejected, [SelectionCompleted, ApprovalRequested, ApprovalDecided, WorkflowFailed]);
    expect({ ...(await t.store.getTarget(target)), fencingToken: before.fencingToken }).toEqual(before);
    expect((await t.store.getTarget(target)).fencingToken).toBe(before.fencingToken + 1);
    expect(approvalMetrics(execution.id)).toEqual(['reject']);
    await t.settle();
    expect(runsOn(target)).toBe(1); // the earlier noop only
    // The target admits at once: no cooldown, no backoff.
    expect((await request(target, 'noop')).kind).toBe('started');
    await t.settle();
  });

  it('expires at requiredBy through the sweeper: Failed/ApprovalExpired by lockstep, the target as before; a late decision is refused (409) and decides nothing', async () => {
    const target = await targetWithHistory();
    const before = await t.store.getTarget(target);
    const execution = await awaiting(target);
    timers.cancel(execution.id);
    t.clock.advanceSeconds(599);
    await sweep(t.engine);
    expect((await t.store.getExecution(execution.id))?.execution.phase).toBe('AwaitingApproval');
    t.clock.advanceSeconds(1);
    await sweep(t.engine);
    const expired = (await t.store.getExecution(execution.id))!;
    expect(expired.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'ApprovalExpired', wasExecutionFailure: false },
    });
    expectAuditTrail(expired, [SelectionCompleted, ApprovalRequested, ApprovalExpired, WorkflowFailed]);
    expect(expired.events.at(-2)?.actor).toBe('lockstep');
    expect({ ...(await t.store.getTarget(target)), fencingToken: before.fencingToken }).toEqual(before);
    expect(approvalMetrics(execution.id)).toEqual(['expired']);
    await expect(
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
    ).rejects.toThrow(ConflictError);
  });

  it('a decision that comes at requiredBy is not recorded: the expiry is applied and the answer says it expired', async () => {
    const execution = await awaiting(uniqueTarget());
    timers.cancel(execution.id);
    t.clock.advanceSeconds(600);
    await expect(
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
    ).rejects.toThrow(/expired/);
    const record = (await t.store.getExecution(execution.id))!;
    expect(record.execution.failureDetails?.reason).toBe('ApprovalExpired');
    expect(record.execution.approval?.decisions).toEqual([]);
  });

  it('expires when requiredBy passes through the deadline timer armed at admission, with no sweep', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    t.clock.advanceSeconds(600);
    const expired = await until(
      async () => {
        const record = await t.store.getExecution(execution.id);
        return record?.execution.phase === 'Failed' ? record : undefined;
      },
      10_000,
      'the approval deadline to fire',
    );
    expect(expired.execution.failureDetails?.reason).toBe('ApprovalExpired');
    expect((await t.store.getTarget(target)).holder).toBeUndefined();
  });

  it('the AwaitingApproval event, routed to the sweeper function, arms the expiry at requiredBy (how AWS arms it)', async () => {
    const execution = await awaiting(uniqueTarget());
    timers.cancel(execution.id);
    await t.published();
    const event = t.domainEvents.find(
      (e) =>
        e['detail-type'] === 'WorkflowExecution AwaitingApproval' && (e.detail as { id: string }).id === execution.id,
    )!;
    const schedule = vi.spyOn(timers, 'schedule');
    try {
      const answer = await createSweeperHandler({ engine: t.engine })(event);
      expect(answer).toEqual({ deadlineOf: execution.id, next: execution.approval!.requiredBy });
      expect(schedule).toHaveBeenCalledWith(execution.id, new Date(execution.approval!.requiredBy));
    } finally {
      schedule.mockRestore();
      timers.cancel(execution.id);
    }
  });

  it('a cancel while awaiting approval ends it Failed/Cancelled with cancelledBy, the target as before', async () => {
    const target = await targetWithHistory();
    const before = await t.store.getTarget(target);
    const execution = await awaiting(target);
    const { cancelled, record } = await cancelExecution(t.engine, {
      executionId: execution.id,
      requestedBy: 'token:chatbot',
      onBehalfOf: 'erin',
    });
    expect(cancelled).toBe(true);
    expect(record.execution).toMatchObject({
      phase: 'Failed',
      cancelledBy: 'token:chatbot',
      failureDetails: { reason: 'Cancelled', wasExecutionFailure: false },
    });
    expectAuditTrail(record, [SelectionCompleted, ApprovalRequested, ExecutionCancelled, WorkflowFailed]);
    expect(record.events[2]).toMatchObject({ actor: 'token:chatbot', payload: { onBehalfOf: 'erin' } });
    expect({ ...(await t.store.getTarget(target)), fencingToken: before.fencingToken }).toEqual(before);
    await expect(
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
    ).rejects.toThrow(/not awaiting approval/);
    await t.settle();
    expect(runsOn(target)).toBe(1);
  });

  /**
   * Holds the first `count` store writes that `matches` picks until all of them have been made,
   * then lets them through together: every racer has read the same state before any writes.
   */
  function barrier(count: number, matches: (command: string) => boolean) {
    const held: (() => void)[] = [];
    let armed = true;
    t.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && matches(String(context.commandName))) {
          await new Promise<void>((resolve) => {
            held.push(resolve);
            if (held.length === count) {
              armed = false;
              for (const release of held) release();
            }
          });
        }
        return next(args);
      },
      { step: 'initialize', name: `barrier-${Math.random()}` },
    );
  }

  it('two people approving at once: exactly one decision lands, the other is refused, one start, one run', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    barrier(2, (command) => command === 'UpdateCommand');
    const results = await Promise.allSettled(
      ['token:bob', 'token:carol'].map((by) =>
        decideApproval(t.engine, { executionId: execution.id, by, decision: 'approve' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    await t.settle();
    const record = await t.recorded(execution.id);
    expect(record.execution.phase).toBe('Completed');
    expect(record.execution.approval?.decisions).toHaveLength(1);
    expect(runsOn(target)).toBe(1);
  });

  it('an approval and a reject at once: exactly one wins; never a run with a reject recorded', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    barrier(2, (command) => command === 'UpdateCommand' || command === 'TransactWriteCommand');
    const results = await Promise.allSettled([
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
      decideApproval(t.engine, { executionId: execution.id, by: 'token:carol', decision: 'reject', comment: 'no' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await t.settle();
    const record = await t.recorded(execution.id);
    const decisions = record.execution.approval!.decisions.map((d) => d.decision);
    expect(decisions).toHaveLength(1);
    expect(record.execution.phase).toBe(decisions[0] === 'approve' ? 'Completed' : 'Failed');
    expect(runsOn(target)).toBe(decisions[0] === 'approve' ? 1 : 0);
  });

  it('an approval racing the expiry: exactly one wins', async () => {
    const target = uniqueTarget();
    const execution = await awaiting(target);
    timers.cancel(execution.id);
    t.clock.advanceSeconds(599);
    barrier(2, (command) => command === 'UpdateCommand' || command === 'TransactWriteCommand');
    const [decision, expiry] = await Promise.allSettled([
      decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
      t.store.expireApproval({
        executionId: execution.id,
        at: new Date(execution.approval!.requiredBy),
        policy: t.engine.policy,
      }),
    ]);
    await t.settle();
    const record = await t.recorded(execution.id);
    const expiredIt = expiry.status === 'fulfilled' && expiry.value.changed;
    expect(decision.status === 'fulfilled').toBe(!expiredIt);
    expect(record.execution.phase).toBe(expiredIt ? 'Failed' : 'Completed');
    expect(runsOn(target)).toBe(expiredIt ? 0 : 1);
  });

  describe('faults on the approval start path', () => {
    let faults: FaultInjector;
    beforeAll(() => {
      faults = new FaultInjector().attach(t.sfnClient, 'SFN');
    });

    it.each(['before', 'after'] as const)(
      'StartExecution lost %s it reached the service: the approval stands, the start is finished under the same name, one run',
      async (mode) => {
        const target = uniqueTarget();
        const execution = await awaiting(target);
        const { calls, result } = await faults.during(
          () => decideApproval(t.engine, { executionId: execution.id, by: 'token:bob', decision: 'approve' }),
          { index: 0, mode },
        );
        expect(calls[0]).toBe('SFN.StartExecution');
        expect(result?.execution.phase).toBe('Pending');
        await t.settle();
        expect(runsOn(target)).toBe(mode === 'after' ? 1 : 0);
        t.clock.advanceSeconds(t.engine.policy.startGraceSeconds + 1);
        const report = await sweep(t.engine);
        // A start that reached the service is recorded by its own RUNNING event; one that did not, by the sweeper.
        expect(report.repairs.filter((r) => r.executionId === execution.id).map((r) => r.repair)).toEqual(
          mode === 'before' ? ['finished-start'] : [],
        );
        await t.settle();
        const record = await t.recorded(execution.id);
        expect(record.execution).toMatchObject({
          phase: 'Completed',
          executionRef: { name: executionName(target, 1) },
        });
        expect(runsOn(target)).toBe(1);
      },
    );

    it('a crash after the decision is stored and before StartExecution: the sweeper starts it, once', async () => {
      const target = uniqueTarget();
      const execution = await awaiting(target);
      // The decision as the use case stores it, and then nothing: the process died.
      const stored = await t.store.decide({
        executionId: execution.id,
        by: 'token:bob',
        decision: 'approve',
        at: t.clock.now(),
        policy: t.engine.policy,
      });
      expect(stored.outcome).toBe('approved');
      t.clock.advanceSeconds(t.engine.policy.startGraceSeconds - 1);
      await sweep(t.engine);
      await t.settle();
      expect(runsOn(target)).toBe(0);
      t.clock.advanceSeconds(2);
      await sweep(t.engine);
      await sweep(t.engine);
      await t.settle();
      expect((await t.recorded(execution.id)).execution.phase).toBe('Completed');
      expect(runsOn(target)).toBe(1);
    });
  });

  it('the invariants hold: every run of a workflow that needs approval was approved, never by its requester; every transition published', async () => {
    await t.settle();
    const needsApproval = (workflowId: string) => workflowId !== 'noop';
    const report = await checkInvariants(t.dynamodb, t.tableName, {
      approvalNeeded: (execution) => needsApproval(execution.workflowId),
    });
    expect(report.violations).toEqual([]);
    const events = checkDomainEvents(await allExecutions(t.dynamodb, t.tableName), t.domainEvents);
    expect(events.violations).toEqual([]);
  });
});
