import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../lib/adapters/dynamodb/dynamodb-store.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('stale and duplicate transitions change nothing', () => {
  let store: DynamoDbStore;
  beforeAll(async () => {
    ({ store } = await createTestStore());
  });

  it('ignores a second completion of an execution that is already terminal', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const done = await driver.runToCompletion(target);
    const targetBefore = await store.getTarget(target);
    driver.clock.advanceSeconds(30);

    const again = await driver.complete(done.execution.id);
    const failedLate = await driver.fail(done.execution.id, 'TaskFailed', true);

    expect(again.changed).toBe(false);
    expect(failedLate.changed).toBe(false);
    expect(await store.getExecution(done.execution.id)).toEqual(done);
    expect(await store.getTarget(target)).toEqual(targetBefore);
  });

  it('does not let a completion of an old execution release the lock held by a newer one', async () => {
    const driver = new Driver(store, new ManualClock(), { ...DEFAULT_POLICY, cooldownSeconds: 0 });
    const target = uniqueTarget();
    const old = await driver.runToCompletion(target);
    const current = await driver.admitted(target);
    await driver.start(current);

    const stale = await driver.fail(old.execution.id, 'TaskFailed', true);

    expect(stale.changed).toBe(false);
    const state = await store.getTarget(target);
    expect(state.holder?.execution.id).toBe(current.execution.id);
    expect(state.fencingToken).toBe(2);
    expect(state.blockReason).toBeUndefined();
  });

  it('settles exactly once when completions race', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    await driver.start(admitted);

    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => driver.complete(admitted.execution.id)),
      ...Array.from({ length: 10 }, () => driver.fail(admitted.execution.id, 'TaskFailed', true)),
    ]);

    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const stored = await store.getExecution(admitted.execution.id);
    expect(stored!.events).toHaveLength(3);
    const state = await store.getTarget(target);
    expect(state.holder).toBeUndefined();
    expect(state.lastOutcome).toBe(stored!.execution.phase);
  });

  it('does not start an execution twice: a second start record changes nothing', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    const running = await driver.start(admitted);

    const again = await store.markRunning({
      pending: { execution: admitted.execution, events: admitted.events },
      fencingToken: admitted.fencingToken,
      executionRef: running.execution.executionRef as { name: string; arn: string },
      startTime: driver.clock.advanceSeconds(5),
      actor: 'lockstep',
    });

    expect(again.changed).toBe(false);
    expect(again.record).toEqual(running);
  });

  it('completes an execution whose status event overtook its start record, through Running', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    const startTime = driver.clock.now();
    driver.clock.advanceSeconds(2);

    const done = await store.finish({
      executionId: admitted.execution.id,
      targetResource: target,
      termination: { phase: 'Completed' },
      at: driver.clock.now(),
      startTime,
      executionRef: { name: 'wfe-x-1', arn: 'arn:aws:states:us-east-1:000000000000:execution:noop:wfe-x-1' },
      actor: 'lockstep',
      policy: DEFAULT_POLICY,
    });

    expect(done.changed).toBe(true);
    expect(done.record.execution).toMatchObject({
      phase: 'Completed',
      durationSeconds: 2,
      startTime: startTime.toISOString(),
    });
    expectAuditTrail(done.record, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.WorkflowCompleted,
    ]);
    const lateStart = await driver.store.markRunning({
      pending: { execution: admitted.execution, events: admitted.events },
      fencingToken: admitted.fencingToken,
      executionRef: done.record.execution.executionRef as { name: string; arn: string },
      startTime,
      actor: 'lockstep',
    });
    expect(lateStart.changed).toBe(false);
    expect(lateStart.record.execution.phase).toBe('Completed');
  });

  it('releases a lock whose holder is already terminal, and only that one', async () => {
    const driver = new Driver(store, new ManualClock());
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);

    const released = await store.releaseLock({
      targetResource: target,
      executionId: admitted.execution.id,
      fencingToken: 1,
      policy: DEFAULT_POLICY,
    });

    expect(released).toBe(false);
    expect((await store.getTarget(target)).holder?.execution.id).toBe(admitted.execution.id);
  });
});
