import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  DEFAULT_POLICY,
  exhaustsRetries,
  PolicySchema,
  secondsUntil,
} from '../../../lib/domain/policies.js';

const policies = fc
  .record({
    backoffBaseSeconds: fc.integer({ min: 1, max: 3600 }),
    backoffMaxSeconds: fc.integer({ min: 1, max: 86_400 }),
    maxConsecutiveFailures: fc.integer({ min: 1, max: 20 }),
  })
  .map((p) => PolicySchema.parse(p));

describe('backoff policy', () => {
  it('gives 60, 120, 240, 480 then the 600 s cap with the defaults', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, DEFAULT_POLICY))).toEqual([60, 120, 240, 480, 600, 600]);
  });

  it('opens no window before any failure', () => {
    expect(backoffSeconds(0, DEFAULT_POLICY)).toBe(0);
  });

  it('is min(base·2^(n-1), max) for every policy and failure count', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 2000 }), (policy, n) => {
        expect(backoffSeconds(n, policy)).toBe(
          Math.min(policy.backoffBaseSeconds * 2 ** (n - 1), policy.backoffMaxSeconds),
        );
      }),
    );
  });

  it('never shrinks as failures add up, and never exceeds the cap', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 2000 }), (policy, n) => {
        const window = backoffSeconds(n, policy);
        expect(backoffSeconds(n + 1, policy)).toBeGreaterThanOrEqual(window);
        expect(window).toBeLessThanOrEqual(policy.backoffMaxSeconds);
        expect(Number.isFinite(window)).toBe(true);
      }),
    );
  });

  it('exhausts retries exactly at the configured count', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 50 }), (policy, n) => {
        expect(exhaustsRetries(n, policy)).toBe(n >= policy.maxConsecutiveFailures);
      }),
    );
  });
});

describe('secondsUntil', () => {
  it('rounds up to whole seconds and never goes below zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -1e9, max: 1e9 }), (now, deltaMs) => {
        const seconds = secondsUntil(new Date(now + deltaMs), new Date(now));
        expect(seconds).toBe(deltaMs <= 0 ? 0 : Math.ceil(deltaMs / 1000));
      }),
    );
  });
});
