import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRe2js } from '../../../lib/adapters/patterns/re2js-engine.js';
import { approvalTermsFor, approversOf, endedAwaitingApproval, requesterOf } from '../../../lib/domain/approval.js';
import {
  approvalExpired,
  awaitingApproval,
  type DecisionInput,
  decided,
} from '../../../lib/domain/approval-transitions.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lib/domain/errors.js';
import type { ExecutionRequest } from '../../../lib/domain/execution.js';
import { Phase } from '../../../lib/domain/phase.js';
import { addSeconds, DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { FailureReason } from '../../../lib/domain/reasons.js';
import {
  type Holder,
  idleTarget,
  settle,
  standingOf,
  type TargetState,
  targetView,
} from '../../../lib/domain/target.js';
import {
  cancelCause,
  cancelOfCause,
  finished,
  outcomeOf,
  settlementFor,
  started,
} from '../../../lib/domain/transitions.js';
import { usePatternEngine } from '../../../lib/domain/user-pattern.js';
import { ApprovalPolicySchema } from '../../../lib/domain/workflow-version.js';

usePatternEngine(loadRe2js);

const t0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => addSeconds(t0, seconds);
const request: ExecutionRequest = {
  targetResource: 'payments/deployment/api',
  workflowId: 'restart',
  workflowVersion: '2',
  parameters: { REPLICAS: '3' },
  requestedBy: 'token:alice',
  source: 'api',
};
const TOKEN = 7;
const awaiting = (approvals = 1, req: ExecutionRequest = request) => ({
  ...awaitingApproval(req, 'e-1', t0, { timeoutSeconds: 900, approvals }),
  fencingToken: TOKEN,
});
const approve = (by: string, seconds = 10, onBehalfOf?: string): DecisionInput => ({
  by,
  decision: 'approve',
  at: at(seconds),
  ...(onBehalfOf && { onBehalfOf }),
});
const reject = (by: string, comment = 'not during the sale', seconds = 10): DecisionInput => ({
  by,
  decision: 'reject',
  comment,
  at: at(seconds),
});
/** Applies one decision and keeps the token, as the store does with the target's holder. */
const next = (holder: Holder & { fencingToken: number }, input: DecisionInput) => {
  const result = decided(holder, input);
  if (result.outcome === 'expired') throw new Error('expired');
  return result.outcome === 'rejected' ? result.record : { ...result.holder, fencingToken: holder.fencingToken };
};

describe('approval terms: which requests wait for approval', () => {
  it('"always" holds for every target; a targetPattern only for the targets it matches (RE2, unanchored)', () => {
    const always = ApprovalPolicySchema.parse({ required: 'always' });
    expect(approvalTermsFor({ approval: always }, 'dev/deployment/x')).toEqual({ timeoutSeconds: 900, approvals: 1 });
    const prod = ApprovalPolicySchema.parse({ targetPattern: '^prod/', timeoutSeconds: 60, approvals: 2 });
    expect(approvalTermsFor({ approval: prod }, 'prod/deployment/api')).toEqual({ timeoutSeconds: 60, approvals: 2 });
    expect(approvalTermsFor({ approval: prod }, 'staging/prod/x')).toBeUndefined();
    expect(approvalTermsFor({ approval: ApprovalPolicySchema.parse({ targetPattern: 'db' }) }, 'a/db-1')).toBeDefined();
    expect(approvalTermsFor({}, 'prod/deployment/api')).toBeUndefined();
    expect(approvalTermsFor(undefined, 'prod/deployment/api')).toBeUndefined();
  });
});

describe('admission awaiting approval', () => {
  it('is AwaitingApproval with requiredBy = createdAt + timeout, the approvals needed, no decisions, and the requested event', () => {
    const holder = awaitingApproval({ ...request, onBehalfOf: 'bob' }, 'e-1', t0, {
      timeoutSeconds: 600,
      approvals: 2,
    });
    expect(holder.execution).toMatchObject({
      id: 'e-1',
      phase: Phase.AwaitingApproval,
      createdAt: t0.toISOString(),
      approval: { requiredBy: at(600).toISOString(), approvalsNeeded: 2, decisions: [] },
    });
    expect(holder.events.map((e) => e.type)).toEqual([
      AuditEventType.SelectionCompleted,
      AuditEventType.ApprovalRequested,
    ]);
    expect(holder.events[1]).toMatchObject({
      actor: 'token:alice',
      payload: { onBehalfOf: 'bob', approvalsNeeded: 2 },
    });
  });

  it('holds the target: its view says AwaitingApproval and the active index files it under AwaitingApproval', () => {
    const target: TargetState = { ...idleTarget(request.targetResource), fencingToken: TOKEN, holder: awaiting() };
    expect(targetView(target, t0)).toMatchObject({ state: 'AwaitingApproval', currentExecutionId: 'e-1' });
    expect(standingOf(target)).toEqual({ state: 'AwaitingApproval' });
  });
});

describe('decisions and the four-eyes rule', () => {
  it('one approval of one needed makes it Pending, with the decision and its audit event (actor = the identity)', () => {
    const result = decided(awaiting(), { ...approve('token:bob'), comment: 'go ahead' });
    expect(result.outcome).toBe('approved');
    if (result.outcome !== 'approved') return;
    expect(result.holder.execution.phase).toBe(Phase.Pending);
    expect(result.holder.execution.approval?.decisions).toEqual([
      { by: 'token:bob', decision: 'approve', comment: 'go ahead', at: at(10).toISOString() },
    ]);
    expect(result.holder.events.at(-1)).toMatchObject({
      type: AuditEventType.ApprovalDecided,
      actor: 'token:bob',
      payload: { decision: 'approve', comment: 'go ahead' },
    });
  });

  it('with two needed, the first approval records and the second (another person) approves', () => {
    const first = decided(awaiting(2), approve('token:bob'));
    expect(first.outcome).toBe('recorded');
    const after = next(awaiting(2), approve('token:bob'));
    expect(after.execution.phase).toBe(Phase.AwaitingApproval);
    expect(decided(after, approve('token:carol', 20)).outcome).toBe('approved');
  });

  it('an approved execution starts as an admitted one (Pending → Running)', () => {
    const approvedHolder = next(awaiting(), approve('token:bob'));
    const running = started(approvedHolder, TOKEN, { name: 'n', arn: 'a' }, at(11), 'lockstep');
    expect(running.execution.phase).toBe(Phase.Running);
  });

  it.each([
    ['the requester itself', { by: 'token:alice' }, request],
    ['an intermediary for the requester', { by: 'token:chatbot', onBehalfOf: 'token:alice' }, request],
    [
      'the person an intermediary requested for',
      { by: 'token:bob', onBehalfOf: 'carol' },
      { ...request, requestedBy: 'token:chatbot', onBehalfOf: 'carol' },
    ],
    [
      'that person, deciding directly',
      { by: 'carol' },
      { ...request, requestedBy: 'token:chatbot', onBehalfOf: 'carol' },
    ],
  ])('the requester never decides: %s is refused (403, "approval by its requester")', (_, who, req) => {
    for (const decision of ['approve', 'reject'] as const) {
      const attempt = () =>
        decided(awaiting(1, req), { ...who, decision, comment: 'why', at: at(10) } as DecisionInput);
      expect(attempt).toThrow(ForbiddenError);
      expect(attempt).toThrow(/approval by its requester/);
    }
  });

  it('an intermediary that requested may decide for another person: the person decides, not the channel', () => {
    const req = { ...request, requestedBy: 'token:chatbot', onBehalfOf: 'carol' };
    expect(decided(awaiting(1, req), approve('token:chatbot', 10, 'dave')).outcome).toBe('approved');
  });

  it('a person who decided cannot decide again, directly or through an intermediary (409)', () => {
    const after = next(awaiting(2), approve('token:bob'));
    expect(() => decided(after, approve('token:bob', 20))).toThrow(ConflictError);
    expect(() => decided(after, approve('token:chatbot', 20, 'token:bob'))).toThrow(ConflictError);
    expect(() => decided(after, reject('token:bob'))).toThrow(/already decided/);
  });

  it('one reject ends it Failed/Rejected, not an execution failure, with both audit events', () => {
    const after = next(awaiting(2), approve('token:bob'));
    const result = decided(after, reject('token:carol', 'wrong cluster', 20));
    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.record.execution).toMatchObject({
      phase: Phase.Failed,
      completionTime: at(20).toISOString(),
      failureDetails: { reason: FailureReason.Rejected, wasExecutionFailure: false },
    });
    expect(result.record.execution.failureDetails?.message).toContain('wrong cluster');
    expect(result.record.events.slice(-2).map((e) => [e.type, e.actor])).toEqual([
      [AuditEventType.ApprovalDecided, 'token:carol'],
      [AuditEventType.WorkflowFailed, 'token:carol'],
    ]);
  });

  it('a reject needs a comment', () => {
    expect(() => decided(awaiting(), { by: 'token:bob', decision: 'reject', at: at(10) })).toThrow(ValidationError);
    expect(() => decided(awaiting(), reject('token:bob', '   '))).toThrow(ValidationError);
  });

  it('only an execution awaiting approval takes decisions (409)', () => {
    const pending = next(awaiting(), approve('token:bob'));
    expect(() => decided(pending, approve('token:carol'))).toThrow(ConflictError);
    const rejected = next(awaiting(), reject('token:bob'));
    expect(() => decided(rejected, approve('token:carol'))).toThrow(/not awaiting approval/);
  });

  it('at or after requiredBy a decision is not recorded: the approval has expired', () => {
    expect(decided(awaiting(), approve('token:bob', 900)).outcome).toBe('expired');
    expect(decided(awaiting(), reject('token:bob', 'late', 5000)).outcome).toBe('expired');
    expect(decided(awaiting(), approve('token:bob', 899.999)).outcome).toBe('approved');
  });
});

describe('expiry', () => {
  it('at requiredBy: Failed/ApprovalExpired, by lockstep, not an execution failure', () => {
    const record = approvalExpired(next(awaiting(2), approve('token:bob')), at(900), 'lockstep');
    expect(record.execution).toMatchObject({
      phase: Phase.Failed,
      failureDetails: { reason: FailureReason.ApprovalExpired, wasExecutionFailure: false },
    });
    expect(record.events.slice(-2).map((e) => [e.type, e.actor])).toEqual([
      [AuditEventType.ApprovalExpired, 'lockstep'],
      [AuditEventType.WorkflowFailed, 'lockstep'],
    ]);
  });

  it('not before requiredBy, and not once decided', () => {
    expect(() => approvalExpired(awaiting(), at(899), 'lockstep')).toThrow(ConflictError);
    expect(() => approvalExpired(next(awaiting(), approve('token:bob')), at(1000), 'lockstep')).toThrow(ConflictError);
  });
});

describe('cancel', () => {
  it('of an execution awaiting approval: Failed/Cancelled with cancelledBy and the cancelled audit event (onBehalfOf in its payload)', () => {
    const record = finished(awaiting(), {
      termination: {
        phase: Phase.Failed,
        failure: { reason: FailureReason.Cancelled, message: 'cancelled by token:ops', wasExecutionFailure: false },
      },
      at: at(30),
      actor: 'token:ops',
      cancel: { by: 'token:ops', onBehalfOf: 'erin' },
    });
    expect(record.execution).toMatchObject({ phase: Phase.Failed, cancelledBy: 'token:ops' });
    expect(record.events.slice(-2)).toMatchObject([
      {
        type: AuditEventType.ExecutionCancelled,
        actor: 'token:ops',
        payload: { onBehalfOf: 'erin', phase: 'AwaitingApproval' },
      },
      { type: AuditEventType.WorkflowFailed },
    ]);
    expect(endedAwaitingApproval(record.execution)).toBe(true);
  });
});

describe('the target after an execution that never ran because of its approval', () => {
  const policy = { ...DEFAULT_POLICY, cooldownSeconds: 300, maxConsecutiveFailures: 2 };
  const cancelled = (holder: Holder & { fencingToken: number }) =>
    finished(holder, {
      termination: {
        phase: Phase.Failed,
        failure: { reason: FailureReason.Cancelled, message: 'cancelled', wasExecutionFailure: false },
      },
      at: at(30),
      actor: 'token:ops',
      cancel: { by: 'token:ops' },
    });
  const endings = {
    rejected: () => next(awaiting(), reject('token:bob')),
    expired: () => approvalExpired(awaiting(), at(900), 'lockstep'),
    'cancelled while awaiting': () => cancelled(awaiting()),
    'cancelled with some approvals, not all': () => cancelled(next(awaiting(2), approve('token:bob'))),
  };
  const before: TargetState[] = [
    idleTarget(request.targetResource),
    {
      ...idleTarget(request.targetResource),
      lastExecutionId: 'e-0',
      lastOutcome: 'Failed',
      consecutiveFailures: 1,
      nextAllowedAt: at(-10).toISOString(),
      cooldownUntil: at(-100).toISOString(),
      blockClearances: [
        { clearedAt: at(-50).toISOString(), clearedBy: 'token:x', reason: 'fixed', blockReason: 'ExhaustedRetries' },
      ],
    },
  ];

  it.each(Object.entries(endings))(
    '%s: exactly as before the request (no cooldown, count, block or last execution)',
    (_, end) => {
      for (const target of before) {
        const record = end();
        expect(record.execution.failureDetails?.wasExecutionFailure).toBe(false);
        expect(outcomeOf(record.execution)).toMatchObject({ phase: 'Failed', withdrawn: true });
        const held: TargetState = { ...target, fencingToken: TOKEN, holder: awaiting() };
        const settlement = settlementFor(held, record, policy)!;
        const { holder: _holder, ...after } = { ...held, ...settlement };
        const { holder: _none, ...expected } = { ...target, fencingToken: TOKEN };
        // Undefined settlement fields are removed from the item, as they were absent before.
        expect(JSON.parse(JSON.stringify(after))).toEqual(JSON.parse(JSON.stringify(expected)));
        expect(standingOf(after)).toEqual(standingOf(target));
      }
    },
  );

  it('a cancel after the approvals were reached is an ordinary cancel of a Pending execution', () => {
    const record = cancelled(next(awaiting(), approve('token:bob')));
    expect(endedAwaitingApproval(record.execution)).toBe(false);
    const settlement = settle(idleTarget(request.targetResource), 'e-1', outcomeOf(record.execution), policy, at(30));
    expect(settlement.lastExecutionId).toBe('e-1');
  });
});

describe('properties', () => {
  const people = ['token:alice', 'token:bob', 'token:carol', 'token:dave', 'token:erin', 'token:chatbot'];
  const person = fc.constantFrom(...people);
  const attempt = fc.record({
    by: person,
    onBehalfOf: fc.option(person, { nil: undefined }),
    decision: fc.constantFrom('approve' as const, 'reject' as const),
  });
  const requestBy = fc.record({ requestedBy: person, onBehalfOf: fc.option(person, { nil: undefined }) });

  /** Applies every attempt in turn, as the store would: refused ones change nothing. */
  function run(
    requester: { requestedBy: string; onBehalfOf: string | undefined },
    needed: number,
    attempts: { by: string; onBehalfOf: string | undefined; decision: 'approve' | 'reject' }[],
  ) {
    const req: ExecutionRequest = {
      ...request,
      requestedBy: requester.requestedBy,
      ...(requester.onBehalfOf && { onBehalfOf: requester.onBehalfOf }),
    };
    let holder: Holder & { fencingToken: number } = awaiting(needed, req);
    const accepted: string[] = [];
    attempts.forEach((a, i) => {
      try {
        const input: DecisionInput = {
          by: a.by,
          ...(a.onBehalfOf && { onBehalfOf: a.onBehalfOf }),
          decision: a.decision,
          comment: 'because',
          at: at(i + 1),
        };
        holder = next(holder, input);
        accepted.push(a.onBehalfOf ?? a.by);
      } catch (error) {
        if (!(error instanceof ConflictError) && !(error instanceof ForbiddenError)) throw error;
      }
    });
    return { holder, accepted, requester: requesterOf(req) };
  }

  it('a decision never counts twice: approvals counted = distinct approvers, each once, and it approves exactly when they reach the need', () => {
    fc.assert(
      fc.property(
        requestBy,
        fc.integer({ min: 1, max: 5 }),
        fc.array(attempt, { maxLength: 12 }),
        (r, needed, attempts) => {
          const { holder } = run(r, needed, attempts);
          const decisions = holder.execution.approval!.decisions;
          const persons = decisions.map((d) => d.onBehalfOf ?? d.by);
          expect(new Set(persons).size).toBe(persons.length);
          const approvers = approversOf(holder.execution);
          expect(approvers.length).toBe(decisions.filter((d) => d.decision === 'approve').length);
          expect(approvers.length).toBeLessThanOrEqual(needed);
          expect(holder.execution.phase === Phase.Pending).toBe(approvers.length === needed);
          if (decisions.some((d) => d.decision === 'reject')) expect(holder.execution.phase).toBe(Phase.Failed);
        },
      ),
    );
  });

  it('the requester never approves (nor rejects), whatever mix of identity and onBehalfOf', () => {
    fc.assert(
      fc.property(
        requestBy,
        fc.integer({ min: 1, max: 5 }),
        fc.array(attempt, { maxLength: 12 }),
        (r, needed, attempts) => {
          const { holder, accepted, requester } = run(r, needed, attempts);
          expect(accepted).not.toContain(requester);
          for (const d of holder.execution.approval!.decisions) expect(d.onBehalfOf ?? d.by).not.toBe(requester);
        },
      ),
    );
  });
});

describe('the cause of a cancel names who cancelled, so either path that records the stop records them', () => {
  it.each([
    [{ by: 'token:alice' }],
    [{ by: 'arn:aws:iam::123456789012:role/ops', onBehalfOf: 'Erin Smith (on call)' }],
  ])('%o reads back', (cancel) => {
    expect(cancelOfCause(cancelCause(cancel, 'c0ffee-1'))).toEqual(cancel);
  });

  it('any other cause reads as no cancel', () => {
    for (const cause of [undefined, '', 'stopped by hand', 'cancelled by a b (cancel request x)'])
      expect(cancelOfCause(cause)).toBeUndefined();
  });
});
