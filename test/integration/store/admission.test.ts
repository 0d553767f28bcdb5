import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { SkipReason } from '../../../lib/domain/reasons.js';
import { createTestStore } from '../../support/dynamodb.js';
import { Driver, expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('admission: the per-target lock', () => {
  let driver: Driver;
  beforeAll(async () => {
    const { store } = await createTestStore();
    driver = new Driver(store, new ManualClock());
  });

  it('admits exactly one of 200 concurrent admissions on one target and refuses the rest as busy, naming the winner', async () => {
    const target = uniqueTarget();

    const results = await Promise.all(Array.from({ length: 200 }, () => driver.admit(target)));

    const admitted = results.filter((r) => r.admitted);
    const skipped = results.filter((r) => !r.admitted);
    expect(admitted).toHaveLength(1);
    expect(skipped).toHaveLength(199);
    const winner = admitted[0]!.record;
    expect(winner.fencingToken).toBe(1);
    expect(winner.execution.phase).toBe('Pending');
    for (const refusal of skipped) {
      expect(refusal.record.execution.phase).toBe('Skipped');
      expect(refusal.record.execution.skipDetails).toMatchObject({
        reason: SkipReason.ResourceBusy,
        conflictingExecutionId: winner.execution.id,
      });
    }
    const target0 = await driver.store.getTarget(target);
    expect(target0.holder?.execution.id).toBe(winner.execution.id);
    expect(target0.fencingToken).toBe(1);
  });

  it('admits all of 200 concurrent admissions on 200 different targets', async () => {
    const targets = Array.from({ length: 200 }, (_, i) => uniqueTarget(`w${i}`));

    const results = await Promise.all(targets.map((t) => driver.admit(t)));

    expect(results.every((r) => r.admitted)).toBe(true);
    expect(new Set(results.map((r) => r.record.execution.id)).size).toBe(200);
  });

  it('records the skipped execution and its audit event, readable by id', async () => {
    const target = uniqueTarget();
    await driver.admitted(target);

    const refusal = await driver.admit(target, { correlationId: 'rr-42' });

    expect(refusal.admitted).toBe(false);
    const stored = await driver.store.getExecution(refusal.record.execution.id);
    expect(stored?.execution).toMatchObject({
      phase: 'Skipped',
      correlationId: 'rr-42',
      skipDetails: { reason: 'ResourceBusy' },
    });
    expectAuditTrail(stored!, [AuditEventType.ExecutionSkipped]);
    expect(stored!.events[0]!.payload).toMatchObject({ reason: 'ResourceBusy' });
  });

  it('shows a Pending execution by id before it has started, with its selection audit event', async () => {
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);

    const stored = await driver.store.getExecution(admitted.execution.id);

    expect(stored?.execution.phase).toBe('Pending');
    expect(stored?.fencingToken).toBe(1);
    expectAuditTrail(stored!, [AuditEventType.SelectionCompleted]);
  });

  it('increments the fencing token with every admission on the same target', async () => {
    const target = uniqueTarget();
    const first = await driver.runToCompletion(target);
    driver.clock.advanceSeconds(driver.policy.cooldownSeconds);

    const second = await driver.admitted(target);

    expect(first.fencingToken).toBe(1);
    expect(second.fencingToken).toBe(2);
  });

  it('never persists an out-of-enum value: a bad failure reason throws before any write', async () => {
    const target = uniqueTarget();
    const admitted = await driver.admitted(target);
    await driver.start(admitted);

    await expect(driver.fail(admitted.execution.id, 'Bogus' as never, true)).rejects.toThrow(/reason/);

    const stored = await driver.store.getExecution(admitted.execution.id);
    expect(stored?.execution.phase).toBe('Running');
    expect((await driver.store.getTarget(target)).holder?.execution.id).toBe(admitted.execution.id);
  });

  it('rejects an invalid request before any write', async () => {
    const target = uniqueTarget();

    await expect(driver.admit(target, { parameters: { 'lower-case': 'x' } })).rejects.toThrow(/UPPER_SNAKE_CASE/);

    expect((await driver.store.getTarget(target)).fencingToken).toBe(0);
  });
});
