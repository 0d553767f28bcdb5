import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('cooldown and backoff windows', () => {
  let store: DynamoDbStore;
  beforeAll(async () => {
    ({ store } = await createTestStore());
  });

  describe('cooldown after a run', () => {
    it('refuses a second admission inside the window as RecentlyRemediated with the exact remaining seconds, and admits at its end', async () => {
      const driver = new Driver(store, new ManualClock());
      const target = uniqueTarget();
      const first = await driver.runToCompletion(target);
      expect(first.execution.completionTime).toBe(driver.clock.now().toISOString());

      driver.clock.advanceSeconds(100);
      const inside = await driver.admit(target);

      expect(inside.admitted).toBe(false);
      expect(inside.record.execution.skipDetails).toEqual({
        reason: 'RecentlyRemediated',
        message: expect.stringContaining('cooling down'),
        recentExecutionId: first.execution.id,
        retryAfterSeconds: 200,
        nextAllowedAt: new Date(Date.parse(first.execution.completionTime!) + 300_000).toISOString(),
      });

      driver.clock.advanceSeconds(199.5);
      const justBefore = await driver.admit(target);
      expect(justBefore.admitted).toBe(false);
      expect(justBefore.record.execution.skipDetails?.retryAfterSeconds).toBe(1);

      driver.clock.advanceSeconds(0.5);
      const atEnd = await driver.admit(target);
      expect(atEnd.admitted).toBe(true);
    });

    it('starts the cooldown at the completion time, and shows it on the target', async () => {
      const driver = new Driver(store, new ManualClock());
      const target = uniqueTarget();
      const admitted = await driver.admitted(target);
      await driver.start(admitted);
      driver.clock.advanceSeconds(42);

      const done = await driver.complete(admitted.execution.id);

      expect(done.record.execution).toMatchObject({ phase: 'Completed', durationSeconds: 42 });
      const state = await store.getTarget(target);
      expect(state.cooldownUntil).toBe(new Date(driver.clock.now().getTime() + 300_000).toISOString());
      expect(state.holder).toBeUndefined();
      expectAuditTrail(done.record, [
        AuditEventType.SelectionCompleted,
        AuditEventType.ExecutionStarted,
        AuditEventType.WorkflowCompleted,
      ]);
    });

    it('uses the configured cooldown', async () => {
      const driver = new Driver(store, new ManualClock(), { ...DEFAULT_POLICY, cooldownSeconds: 5 });
      const target = uniqueTarget();
      await driver.runToCompletion(target);

      driver.clock.advanceSeconds(4);
      expect((await driver.admit(target)).admitted).toBe(false);
      driver.clock.advanceSeconds(1);
      expect((await driver.admit(target)).admitted).toBe(true);
    });
  });

  describe('backoff after pre-execution failures', () => {
    it('opens windows of 60, 120, 240 and 480 s after failures 1 to 4, and blocks with ExhaustedRetries at the 5th', async () => {
      const driver = new Driver(store, new ManualClock());
      const target = uniqueTarget();
      const windows: number[] = [];
      for (let failure = 1; failure <= 4; failure++) {
        const failed = await driver.failBeforeStart(target);
        expectAuditTrail(failed, [AuditEventType.SelectionCompleted, AuditEventType.WorkflowFailed]);
        expect(failed.execution.failureDetails).toMatchObject({
          reason: 'ConfigurationError',
          wasExecutionFailure: false,
        });
        const refused = await driver.admit(target);
        expect(refused.admitted).toBe(false);
        expect(refused.record.execution.skipDetails?.reason).toBe('RecentlyRemediated');
        windows.push(refused.record.execution.skipDetails!.retryAfterSeconds!);
        expect((await store.getTarget(target)).consecutiveFailures).toBe(failure);
        driver.clock.advanceSeconds(windows.at(-1)!);
      }
      expect(windows).toEqual([60, 120, 240, 480]);

      const fifth = await driver.failBeforeStart(target);
      const state = await store.getTarget(target);
      expect(state).toMatchObject({
        consecutiveFailures: 5,
        blockReason: 'ExhaustedRetries',
        blockedByExecutionId: fifth.execution.id,
      });
      driver.clock.advanceSeconds(24 * 3600);
      const refused = await driver.admit(target);
      expect(refused.record.execution.skipDetails).toMatchObject({
        reason: 'ExhaustedRetries',
        recentExecutionId: fifth.execution.id,
      });
    });

    it('caps the window at the configured maximum', async () => {
      const driver = new Driver(store, new ManualClock(), {
        ...DEFAULT_POLICY,
        backoffMaxSeconds: 200,
        maxConsecutiveFailures: 10,
      });
      const target = uniqueTarget();
      const windows: number[] = [];
      for (let failure = 1; failure <= 5; failure++) {
        await driver.failBeforeStart(target);
        const refused = await driver.admit(target);
        windows.push(refused.record.execution.skipDetails!.retryAfterSeconds!);
        driver.clock.advanceSeconds(windows.at(-1)!);
      }
      expect(windows).toEqual([60, 120, 200, 200, 200]);
    });

    it('resets the failure count after a success', async () => {
      const driver = new Driver(store, new ManualClock());
      const target = uniqueTarget();
      for (const wait of [60, 120, 240]) {
        await driver.failBeforeStart(target);
        driver.clock.advanceSeconds(wait);
      }
      expect((await store.getTarget(target)).consecutiveFailures).toBe(3);

      await driver.runToCompletion(target);

      const state = await store.getTarget(target);
      expect(state.consecutiveFailures).toBe(0);
      expect(state.nextAllowedAt).toBeUndefined();
      driver.clock.advanceSeconds(DEFAULT_POLICY.cooldownSeconds);
      await driver.failBeforeStart(target);
      expect((await driver.admit(target)).record.execution.skipDetails?.retryAfterSeconds).toBe(60);
    });
  });
});
