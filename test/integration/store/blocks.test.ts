import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { ConflictError } from '../../../lib/domain/errors.js';
import { targetView } from '../../../lib/domain/target.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('blocks and their clearance', () => {
  let store: DynamoDbStore;
  beforeAll(async () => {
    ({ store } = await createTestStore());
  });

  it('blocks the target with PreviousExecutionFailed after an execution failure, past any cooldown', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    await driver.start(admitted);

    const failed = await driver.fail(admitted.execution.id, 'TaskFailed', true);

    expectAuditTrail(failed.record, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.WorkflowFailed,
    ]);
    driver.clock.advanceSeconds(7 * 24 * 3600);
    const refused = await driver.admit(target);
    expect(refused.record.execution.skipDetails).toMatchObject({
      reason: 'PreviousExecutionFailed',
      recentExecutionId: admitted.execution.id,
    });
    expect(refused.record.execution.skipDetails?.retryAfterSeconds).toBeUndefined();
    expect(targetView(await store.getTarget(target), driver.clock.now())).toMatchObject({
      state: 'Blocked',
      blockReason: 'PreviousExecutionFailed',
      lastOutcome: 'Failed',
    });
  });

  it('reports blocked before busy before recently remediated', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    await driver.start(admitted);
    await driver.fail(admitted.execution.id, 'TaskFailed', true);

    // Blocked and cooling down at once: blocked wins.
    expect((await driver.admit(target)).record.execution.skipDetails?.reason).toBe('PreviousExecutionFailed');
  });

  it('clears a block on request, keeps the clearance, records it on the blocking execution, and admits again', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    await driver.start(admitted);
    await driver.fail(admitted.execution.id, 'OOMKilled', true);
    driver.clock.advanceSeconds(600);

    const cleared = await store.clearBlock({
      targetResource: target,
      clearedBy: 'alice@example.com',
      reason: 'memory limit raised',
      at: driver.clock.now(),
    });

    expect(cleared.blockReason).toBeUndefined();
    const stored = await store.getTarget(target);
    expect(stored.blockReason).toBeUndefined();
    expect(stored.blockClearances).toEqual([
      {
        clearedAt: driver.clock.now().toISOString(),
        clearedBy: 'alice@example.com',
        reason: 'memory limit raised',
        blockReason: 'PreviousExecutionFailed',
        blockedByExecutionId: admitted.execution.id,
      },
    ]);
    const blocking = await store.getExecution(admitted.execution.id);
    expectAuditTrail(blocking!, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.WorkflowFailed,
      AuditEventType.BlockCleared,
    ]);
    expect(blocking!.events.at(-1)).toMatchObject({
      actor: 'alice@example.com',
      payload: { reason: 'memory limit raised' },
    });
    expect((await driver.admit(target)).admitted).toBe(true);
  });

  it('clears an ExhaustedRetries block and starts counting failures from zero', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    for (const wait of [60, 120, 240, 480, 0]) {
      await driver.failBeforeStart(target);
      driver.clock.advanceSeconds(wait);
    }
    expect((await store.getTarget(target)).blockReason).toBe('ExhaustedRetries');

    await store.clearBlock({
      targetResource: target,
      clearedBy: 'bob',
      reason: 'config fixed',
      at: driver.clock.now(),
    });

    await driver.failBeforeStart(target);
    const state = await store.getTarget(target);
    expect(state.consecutiveFailures).toBe(1);
    expect(state.blockReason).toBeUndefined();
  });

  it('refuses to clear a target that is not blocked, and changes nothing', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    await driver.runToCompletion(target);
    const before = await store.getTarget(target);

    await expect(
      store.clearBlock({ targetResource: target, clearedBy: 'carol', reason: 'why not', at: driver.clock.now() }),
    ).rejects.toBeInstanceOf(ConflictError);

    expect(await store.getTarget(target)).toEqual(before);
  });

  it('does not block after a cancel, whether it ran or not', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const pending = await driver.admitted(target);
    const cancelledBeforeStart = await driver.fail(pending.execution.id, 'Cancelled', false);
    expect(cancelledBeforeStart.record.execution.phase).toBe('Failed');
    expect(await store.getTarget(target)).toMatchObject({ consecutiveFailures: 0 });
    expect((await store.getTarget(target)).cooldownUntil).toBeUndefined();

    const running = await driver.admitted(target);
    await driver.start(running);
    await driver.fail(running.execution.id, 'Cancelled', false);
    const state = await store.getTarget(target);
    expect(state.blockReason).toBeUndefined();
    expect(state.consecutiveFailures).toBe(0);
    expect(state.cooldownUntil).toBeDefined();
  });
});
