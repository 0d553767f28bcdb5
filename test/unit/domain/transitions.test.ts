import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { ConflictError, LockstepError, ValidationError } from '../../../lib/domain/errors.js';
import type { ExecutionRecord, ExecutionRequest } from '../../../lib/domain/execution.js';
import { Phase } from '../../../lib/domain/phase.js';
import { addSeconds, DEFAULT_POLICY, type Policy } from '../../../lib/domain/policies.js';
import { FailureReason } from '../../../lib/domain/reasons.js';
import { type Holder, idleTarget, refusal, type TargetState } from '../../../lib/domain/target.js';
import {
  admitted,
  CLEARED_FIELDS,
  cleared,
  finished,
  outcomeOf,
  settlementFor,
  skipped,
  started,
  type Termination,
} from '../../../lib/domain/transitions.js';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => addSeconds(t0, seconds);
const policy: Policy = {
  ...DEFAULT_POLICY,
  cooldownSeconds: 300,
  backoffBaseSeconds: 60,
  backoffMaxSeconds: 600,
  maxConsecutiveFailures: 5,
};
const request: ExecutionRequest = {
  targetResource: 'payments/deployment/api',
  workflowId: 'restart',
  workflowVersion: '2',
  parameters: { REPLICAS: '3' },
  requestedBy: 'alice',
  source: 'api',
};
const ref = { name: 'e-1-run', arn: 'arn:aws:states:us-east-1:000000000000:execution:restart:e-1-run' };

const completed: Termination = { phase: Phase.Completed };
const failedWith = (reason: FailureReason, wasExecutionFailure: boolean): Termination => ({
  phase: Phase.Failed,
  failure: { reason, message: `${reason} happened`, wasExecutionFailure },
});
const executionFailure = failedWith(FailureReason.TaskFailed, true);
const preExecutionFailure = failedWith(FailureReason.ConfigurationError, false);
const cancel = failedWith(FailureReason.Cancelled, false);

const pending = (): Holder => admitted(request, 'e-1', t0);
const running = () => ({ ...started(pending(), 7, ref, at(5), 'lockstep'), fencingToken: 7 });
/** The target as the admission leaves it: held by `holder` under fencing token 7. */
const heldBy = (holder: Holder, before: Partial<TargetState> = {}): TargetState => ({
  ...idleTarget(request.targetResource),
  ...before,
  fencingToken: 7,
  holder,
});
const blockedTarget = (before: Partial<TargetState> = {}): TargetState => ({
  ...idleTarget(request.targetResource),
  lastExecutionId: 'e-1',
  lastOutcome: 'Failed',
  cooldownUntil: at(400).toISOString(),
  consecutiveFailures: 2,
  blockReason: 'PreviousExecutionFailed',
  blockedByExecutionId: 'e-1',
  fencingToken: 7,
  ...before,
});

/** Every record a transition can leave behind, one per terminal phase. */
const terminalRecords = (): Record<string, ExecutionRecord> => ({
  Completed: finished(running(), { termination: completed, at: at(65), actor: 'lockstep' }),
  Failed: finished(running(), { termination: executionFailure, at: at(65), actor: 'lockstep' }),
  Skipped: skipped(pending(), { reason: 'ResourceBusy', message: 'busy', conflictingExecutionId: 'e-0' }, t0),
});

describe('admission', () => {
  it('admits as a Pending execution holding its selection event, correlated by its own id unless told otherwise', () => {
    const holder = admitted(request, 'e-1', t0);

    expect(holder.execution).toEqual({
      ...request,
      id: 'e-1',
      correlationId: 'e-1',
      phase: 'Pending',
      createdAt: t0.toISOString(),
    });
    expect(holder.events).toEqual([
      {
        seq: 1,
        type: AuditEventType.SelectionCompleted,
        at: t0.toISOString(),
        executionId: 'e-1',
        targetResource: request.targetResource,
        correlationId: 'e-1',
        actor: 'alice',
        payload: { decision: 'admitted', workflowId: 'restart', workflowVersion: '2' },
      },
    ]);
    expect(admitted({ ...request, correlationId: 'change-42' }, 'e-2', t0).execution.correlationId).toBe('change-42');
  });

  it('refuses with the precedence blocked > busy > recently remediated, and admits once every window has closed', () => {
    const windows = {
      lastExecutionId: 'e-0',
      cooldownUntil: at(300).toISOString(),
      nextAllowedAt: at(120).toISOString(),
    };
    const blockedHeldCooling = blockedTarget({ ...windows, holder: pending() });

    expect(refusal(blockedHeldCooling, t0)?.reason).toBe('PreviousExecutionFailed');
    expect(refusal(blockedTarget({ blockReason: 'ExhaustedRetries' }), t0)?.reason).toBe('ExhaustedRetries');
    expect(refusal({ ...heldBy(pending()), ...windows }, t0)).toMatchObject({
      reason: 'ResourceBusy',
      conflictingExecutionId: 'e-1',
    });
    expect(refusal({ ...idleTarget(request.targetResource), ...windows }, t0)).toMatchObject({
      reason: 'RecentlyRemediated',
      recentExecutionId: 'e-0',
      retryAfterSeconds: 300,
      nextAllowedAt: windows.cooldownUntil,
    });
    expect(refusal({ ...idleTarget(request.targetResource), ...windows }, at(300))).toBeNull();
  });

  it('records a refused request as a Skipped execution with why, in its one audit event', () => {
    const why = refusal(heldBy(admitted(request, 'e-0', t0)), t0)!;

    const record = skipped(admitted(request, 'e-1', t0), why, at(1));

    expect(record.execution).toMatchObject({ id: 'e-1', phase: 'Skipped', skipDetails: why });
    expect(record.fencingToken).toBeUndefined();
    expect(record.events).toEqual([
      expect.objectContaining({
        seq: 1,
        type: AuditEventType.ExecutionSkipped,
        at: at(1).toISOString(),
        actor: 'alice',
        payload: { ...why },
      }),
    ]);
  });
});

describe('start', () => {
  it('moves Pending to Running with its run and start time, keeps the selection event and adds the start', () => {
    const holder = pending();

    const record = started(holder, 7, ref, at(5), 'lockstep');

    expect(record.execution).toEqual({
      ...holder.execution,
      phase: 'Running',
      executionRef: ref,
      startTime: at(5).toISOString(),
    });
    expect(record.fencingToken).toBe(7);
    expect(record.events.slice(0, 1)).toEqual(holder.events);
    expect(record.events[1]).toMatchObject({
      seq: 2,
      type: AuditEventType.ExecutionStarted,
      at: at(5).toISOString(),
      actor: 'lockstep',
      payload: { executionRef: ref },
    });
  });

  it('refuses to start an execution that is already Running', () => {
    expect(() => started(running(), 7, ref, at(6), 'lockstep')).toThrow(
      new LockstepError('execution e-1 cannot go from Running to Running'),
    );
  });
});

describe('completion and failure', () => {
  it('completes a Running execution at the completion time, with its duration in the record and the event', () => {
    const record = finished(running(), { termination: completed, at: at(65), actor: 'lockstep' });

    expect(record.execution).toMatchObject({
      phase: 'Completed',
      completionTime: at(65).toISOString(),
      durationSeconds: 60,
    });
    expect(record.execution.failureDetails).toBeUndefined();
    expect(record.fencingToken).toBe(7);
    expect(record.events.map((e) => [e.seq, e.type])).toEqual([
      [1, AuditEventType.SelectionCompleted],
      [2, AuditEventType.ExecutionStarted],
      [3, AuditEventType.WorkflowCompleted],
    ]);
    expect(record.events[2]).toMatchObject({ at: at(65).toISOString(), payload: { durationSeconds: 60 } });
  });

  it('fails a Running execution with its failure details, failed at the completion time', () => {
    const record = finished(running(), { termination: executionFailure, at: at(65), actor: 'sfn' });

    const failureDetails = {
      reason: 'TaskFailed',
      message: 'TaskFailed happened',
      wasExecutionFailure: true,
      failedAt: at(65).toISOString(),
    };
    expect(record.execution).toMatchObject({ phase: 'Failed', durationSeconds: 60, failureDetails });
    expect(record.events.at(-1)).toMatchObject({
      seq: 3,
      type: AuditEventType.WorkflowFailed,
      actor: 'sfn',
      payload: failureDetails,
    });
  });

  it('fails a Pending execution whose start failed, or that was cancelled before it started: no duration', () => {
    for (const termination of [preExecutionFailure, cancel]) {
      const record = finished({ ...pending(), fencingToken: 7 }, { termination, at: at(3), actor: 'bob' });

      expect(record.execution.phase).toBe('Failed');
      expect(record.execution.startTime).toBeUndefined();
      expect(record.execution.durationSeconds).toBeUndefined();
      expect(record.events.map((e) => e.type)).toEqual([
        AuditEventType.SelectionCompleted,
        AuditEventType.WorkflowFailed,
      ]);
    }
  });

  it('refuses Pending → Completed: a workflow that never started cannot have completed', () => {
    expect(() =>
      finished({ ...pending(), fencingToken: 7 }, { termination: completed, at: at(3), actor: 'x' }),
    ).toThrow(new LockstepError('execution e-1 cannot go from Pending to Completed'));
  });

  it('passes through Running when the end overtook the start record: the workflow did run', () => {
    const record = finished(
      { ...pending(), fencingToken: 7 },
      {
        termination: completed,
        at: at(65),
        actor: 'sfn',
        overtakenStart: { executionRef: ref, startTime: at(5), actor: 'lockstep' },
      },
    );

    expect(record.execution).toMatchObject({ phase: 'Completed', executionRef: ref, durationSeconds: 60 });
    expect(record.events.map((e) => [e.seq, e.type, e.actor])).toEqual([
      [1, AuditEventType.SelectionCompleted, 'alice'],
      [2, AuditEventType.ExecutionStarted, 'lockstep'],
      [3, AuditEventType.WorkflowCompleted, 'sfn'],
    ]);
  });

  it.each(Object.keys(terminalRecords()))(
    'never changes a %s execution: every further transition is refused',
    (phase) => {
      const record = terminalRecords()[phase]!;
      const before = structuredClone(record);
      const current = { ...record, fencingToken: 7 };

      expect(() => started(record, 7, ref, at(100), 'x')).toThrow(`cannot go from ${phase} to Running`);
      for (const termination of [completed, executionFailure, cancel])
        expect(() => finished(current, { termination, at: at(100), actor: 'x' })).toThrow(
          `cannot go from ${phase} to ${termination.phase}`,
        );
      expect(record).toEqual(before);
    },
  );

  it('never changes a terminal record, whatever the transition and its input', () => {
    const termination = fc.oneof(
      fc.constant(completed),
      fc.record({
        phase: fc.constant(Phase.Failed),
        failure: fc.record({
          reason: fc.constantFrom(...Object.values(FailureReason)),
          message: fc.string(),
          wasExecutionFailure: fc.boolean(),
        }),
      }),
    );
    const instant = fc.integer({ min: -1e6, max: 1e6 }).map(at);
    const transition = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), token: fc.nat(), when: instant, actor: fc.string() }),
      fc.record({
        kind: fc.constant('finish' as const),
        termination,
        when: instant,
        actor: fc.string(),
        overtaken: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(terminalRecords())), transition, (record, input) => {
        const before = structuredClone(record);
        const attempt = () =>
          input.kind === 'start'
            ? started(record, input.token, ref, input.when, input.actor)
            : finished(
                { ...record, fencingToken: 7 },
                {
                  termination: input.termination as Termination,
                  at: input.when,
                  actor: input.actor,
                  ...(input.overtaken && { overtakenStart: { executionRef: ref, startTime: input.when, actor: 'x' } }),
                },
              );
        expect(attempt).toThrow(LockstepError);
        expect(record).toEqual(before);
      }),
    );
  });
});

describe("the target's settlement", () => {
  const release = (termination: Termination, before: Partial<TargetState> = {}, from = running()) => {
    const record = finished(from, { termination, at: at(65), actor: 'lockstep' });
    return settlementFor(heldBy(from, before), record, policy);
  };

  it('after a success: cooldown from the completion time, the failure count reset', () => {
    expect(release(completed, { consecutiveFailures: 3 })).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Completed',
      consecutiveFailures: 0,
      cooldownUntil: at(65 + 300).toISOString(),
    });
  });

  it('after an execution failure: cooldown, the count kept, and blocked by this execution until a person clears it', () => {
    expect(release(executionFailure, { consecutiveFailures: 2 })).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Failed',
      consecutiveFailures: 2,
      cooldownUntil: at(65 + 300).toISOString(),
      blockReason: 'PreviousExecutionFailed',
      blockedByExecutionId: 'e-1',
    });
  });

  it('after the n-th pre-execution failure: no cooldown, the count incremented, backoff min(base·2^(n-1), max)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: policy.maxConsecutiveFailures - 2 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 1, max: 3600 }),
        (before, base, max) => {
          const backoff = { ...policy, backoffBaseSeconds: base, backoffMaxSeconds: Math.max(base, max) };
          const holder = { ...pending(), fencingToken: 7 };
          const record = finished(holder, { termination: preExecutionFailure, at: at(3), actor: 'lockstep' });
          const n = before + 1;

          const settlement = settlementFor(heldBy(holder, { consecutiveFailures: before }), record, backoff);

          expect(settlement).toEqual({
            lastExecutionId: 'e-1',
            lastOutcome: 'Failed',
            consecutiveFailures: n,
            nextAllowedAt: at(3 + Math.min(base * 2 ** (n - 1), backoff.backoffMaxSeconds)).toISOString(),
          });
        },
      ),
    );
  });

  it('blocks the target with ExhaustedRetries at the limit of consecutive pre-execution failures, with no backoff', () => {
    const holder = { ...pending(), fencingToken: 7 };
    const record = finished(holder, { termination: preExecutionFailure, at: at(3), actor: 'lockstep' });
    const before = { consecutiveFailures: policy.maxConsecutiveFailures - 1 };

    expect(settlementFor(heldBy(holder, before), record, policy)).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Failed',
      consecutiveFailures: policy.maxConsecutiveFailures,
      blockReason: 'ExhaustedRetries',
      blockedByExecutionId: 'e-1',
    });
  });

  it('after a cancel: neither counted nor blocking; a cooldown only if the workflow ran', () => {
    expect(release(cancel, { consecutiveFailures: 2 })).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Failed',
      consecutiveFailures: 2,
      cooldownUntil: at(65 + 300).toISOString(),
    });
    const holder = { ...pending(), fencingToken: 7 };
    const cancelledBeforeStart = finished(holder, { termination: cancel, at: at(3), actor: 'bob' });
    expect(settlementFor(heldBy(holder, { consecutiveFailures: 2 }), cancelledBeforeStart, policy)).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Failed',
      consecutiveFailures: 2,
    });
  });

  it('treats a run stopped outside the engine (reason Unknown, not an execution failure) as a cancel', () => {
    const stopped = finished(running(), {
      termination: failedWith(FailureReason.Unknown, false),
      at: at(65),
      actor: 'sfn',
    });
    expect(outcomeOf(stopped.execution)).toEqual({
      phase: 'Failed',
      wasExecutionFailure: false,
      interrupted: true,
      ran: true,
    });
    expect(settlementFor(heldBy(running()), stopped, policy)?.blockReason).toBeUndefined();
  });

  it('releases nothing when another execution, or another fencing token, holds the target', () => {
    const record = finished(running(), { termination: completed, at: at(65), actor: 'lockstep' });

    expect(settlementFor(heldBy(admitted(request, 'e-2', t0)), record, policy)).toBeUndefined();
    expect(settlementFor({ ...heldBy(running()), fencingToken: 8 }, record, policy)).toBeUndefined();
    expect(settlementFor(idleTarget(request.targetResource), record, policy)).toBeUndefined();
  });
});

describe('a block clearance', () => {
  const blockingRecord = () => finished(running(), { termination: executionFailure, at: at(65), actor: 'lockstep' });
  const clear = (target: TargetState, blocking?: ExecutionRecord) =>
    cleared(target, {
      clearedBy: ' alice ',
      reason: ' memory raised ',
      at: at(120),
      maxKept: 50,
      ...(blocking && { blocking }),
    });

  it('unblocks the target, restarts the failure count, closes a backoff window, keeps the cooldown and the history', () => {
    const target = blockedTarget({ nextAllowedAt: at(200).toISOString() });

    const { target: after, set } = clear(target);

    const clearance = {
      clearedAt: at(120).toISOString(),
      clearedBy: 'alice',
      reason: 'memory raised',
      blockReason: 'PreviousExecutionFailed',
      blockedByExecutionId: 'e-1',
    };
    expect(set).toEqual({ blockClearances: [clearance], consecutiveFailures: 0 });
    expect(after).toEqual({
      targetResource: target.targetResource,
      fencingToken: 7,
      lastExecutionId: 'e-1',
      lastOutcome: 'Failed',
      cooldownUntil: at(400).toISOString(),
      consecutiveFailures: 0,
      blockClearances: [clearance],
    });
    expect(refusal(after, at(120))?.reason).toBe('RecentlyRemediated');
    expect(refusal(after, at(400))).toBeNull();
  });

  it('records the clearance after the last event of the blocking execution, by the person who cleared it', () => {
    const blocking = blockingRecord();

    const { blockingRecord: audited } = clear(blockedTarget(), blocking);

    expect(audited!.execution).toEqual(blocking.execution);
    expect(audited!.events.slice(0, -1)).toEqual(blocking.events);
    expect(audited!.events.at(-1)).toMatchObject({
      seq: blocking.events.length + 1,
      type: AuditEventType.BlockCleared,
      at: at(120).toISOString(),
      actor: 'alice',
      payload: { reason: 'memory raised', blockReason: 'PreviousExecutionFailed' },
    });
    expect(clear(blockedTarget()).blockingRecord).toBeUndefined();
  });

  it("keeps an intermediary's onBehalfOf in the clearance and its audit payload, the clearer still the identity", () => {
    const blocking = blockingRecord();
    const input = { clearedBy: 'token:chat', onBehalfOf: 'alice', reason: 'fixed', at: at(120), maxKept: 50 };

    const { set, blockingRecord: audited } = cleared(blockedTarget(), { ...input, blocking });

    expect(set.blockClearances.at(-1)).toMatchObject({ clearedBy: 'token:chat', onBehalfOf: 'alice' });
    expect(audited!.events.at(-1)).toMatchObject({ actor: 'token:chat', payload: { onBehalfOf: 'alice' } });
    const { onBehalfOf: _, ...without } = input;
    const plain = cleared(blockedTarget(), { ...without, blocking });
    expect(plain.set.blockClearances.at(-1)).not.toHaveProperty('onBehalfOf');
    expect(plain.blockingRecord!.events.at(-1)!.payload).not.toHaveProperty('onBehalfOf');
  });

  it('refuses a clearance without a name or a reason, and a target that is not blocked', () => {
    const missing: [string, string][] = [
      ['', 'r'],
      ['me', '  '],
    ];
    for (const [clearedBy, reason] of missing)
      expect(() => cleared(blockedTarget(), { clearedBy, reason, at: at(1), maxKept: 50 })).toThrow(ValidationError);
    expect(() => clear(idleTarget(request.targetResource))).toThrow(
      new ConflictError(`target ${request.targetResource} is not blocked`),
    );
  });

  it('changes exactly what it writes: the fields it sets, and CLEARED_FIELDS removed, whatever the blocked target', () => {
    const optionalTime = fc.option(
      fc.integer({ min: -600, max: 600 }).map((s) => at(s).toISOString()),
      {
        nil: undefined,
      },
    );
    const blocked = fc.record({
      blockReason: fc.constantFrom('PreviousExecutionFailed' as const, 'ExhaustedRetries' as const),
      consecutiveFailures: fc.nat({ max: 10 }),
      cooldownUntil: optionalTime,
      nextAllowedAt: optionalTime,
      blockedByExecutionId: fc.option(fc.constant('e-1'), { nil: undefined }),
    });
    fc.assert(
      fc.property(blocked, (fields) => {
        const target = blockedTarget(
          Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
        );
        const before = structuredClone(target);

        const { target: after, set } = clear(target);

        const untouched = Object.fromEntries(
          Object.entries(target).filter(([field]) => !(CLEARED_FIELDS as readonly string[]).includes(field)),
        );
        expect(after).toEqual({ ...untouched, ...set });
        expect(CLEARED_FIELDS.filter((field) => field in after)).toEqual([]);
        expect(['RecentlyRemediated', undefined]).toContain(refusal(after, at(120))?.reason);
        expect(target).toEqual(before);
      }),
    );
  });
});
