import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSeconds, DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { idleTarget, refusal, settle, type TargetState, targetView } from '../../../lib/domain/target.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const holder = {
  execution: {
    id: 'e-1',
    targetResource: 'a/b',
    workflowId: 'noop',
    workflowVersion: '1',
    parameters: {},
    correlationId: 'e-1',
    requestedBy: 't',
    source: 'api' as const,
    phase: 'Pending' as const,
    createdAt: now.toISOString(),
  },
  events: [],
};

describe('refusal', () => {
  it('admits an idle target', () => {
    expect(refusal(idleTarget('a/b'), now)).toBeNull();
  });

  it('orders reasons blocked > busy > recently remediated, whatever else holds', () => {
    const arbitraryTarget = fc.record({
      blocked: fc.boolean(),
      held: fc.boolean(),
      cooldown: fc.integer({ min: -600, max: 600 }),
      backoff: fc.integer({ min: -600, max: 600 }),
    });
    fc.assert(
      fc.property(arbitraryTarget, ({ blocked, held, cooldown, backoff }) => {
        const target: TargetState = {
          ...idleTarget('a/b'),
          lastExecutionId: 'e-0',
          cooldownUntil: addSeconds(now, cooldown).toISOString(),
          nextAllowedAt: addSeconds(now, backoff).toISOString(),
          ...(blocked && { blockReason: 'PreviousExecutionFailed' as const, blockedByExecutionId: 'e-0' }),
          ...(held && { holder }),
        };
        const skip = refusal(target, now);
        const expected = blocked
          ? 'PreviousExecutionFailed'
          : held
            ? 'ResourceBusy'
            : cooldown > 0 || backoff > 0
              ? 'RecentlyRemediated'
              : null;
        expect(skip?.reason ?? null).toBe(expected);
        if (expected === 'RecentlyRemediated') expect(skip?.retryAfterSeconds).toBe(Math.max(cooldown, backoff));
        // The target view agrees with the admission decision.
        expect(targetView(target, now).state === 'Idle').toBe(skip === null);
      }),
    );
  });
});

describe('settle', () => {
  const target = { ...idleTarget('a/b'), holder, fencingToken: 1 };

  it('after a success: cooldown from the completion time, count reset', () => {
    expect(settle({ ...target, consecutiveFailures: 3 }, 'e-1', { phase: 'Completed' }, DEFAULT_POLICY, now)).toEqual({
      lastExecutionId: 'e-1',
      lastOutcome: 'Completed',
      consecutiveFailures: 0,
      cooldownUntil: addSeconds(now, 300).toISOString(),
    });
  });

  it('after an execution failure: blocked, with cooldown', () => {
    expect(
      settle(
        target,
        'e-1',
        { phase: 'Failed', wasExecutionFailure: true, interrupted: false, ran: true },
        DEFAULT_POLICY,
        now,
      ),
    ).toMatchObject({
      blockReason: 'PreviousExecutionFailed',
      blockedByExecutionId: 'e-1',
      cooldownUntil: addSeconds(now, 300).toISOString(),
    });
  });

  it('after the n-th pre-execution failure: a backoff window, or a block at the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), (before) => {
        const settled = settle(
          { ...target, consecutiveFailures: before },
          'e-1',
          { phase: 'Failed', wasExecutionFailure: false, interrupted: false, ran: false },
          DEFAULT_POLICY,
          now,
        );
        expect(settled.consecutiveFailures).toBe(before + 1);
        expect(settled.cooldownUntil).toBeUndefined();
        if (before + 1 >= 5)
          expect(settled).toMatchObject({ blockReason: 'ExhaustedRetries', blockedByExecutionId: 'e-1' });
        else expect(settled.nextAllowedAt).toBe(addSeconds(now, Math.min(60 * 2 ** before, 600)).toISOString());
      }),
    );
  });
});
