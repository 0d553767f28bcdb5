import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { ConflictError, NotFoundError } from '../../../lib/domain/errors.js';
import { cancelExecution } from '../../../lib/use-cases/cancel-execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { startExecution } from '../../../lib/use-cases/start-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { expectAuditTrail, request, uniqueTarget } from '../../support/lifecycle.js';

describe('cancel', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  it('stops a running workflow; it ends Failed/Cancelled, the run is aborted, and the target is not blocked', async () => {
    const target = uniqueTarget();
    const running = await requestExecution(t.engine, {
      targetResource: target,
      workflowId: 'wait',
      parameters: { SECONDS: '600' },
      requestedBy: 'test',
      source: 'api',
    });

    expect((await t.recorded(running.record.execution.id)).execution.phase).toBe('Running');
    const result = await cancelExecution(t.engine, { executionId: running.record.execution.id, requestedBy: 'alice' });
    await t.settle();

    expect(result.cancelled).toBe(true);
    expect(result.record.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: {
        reason: 'Cancelled',
        message: expect.stringMatching(/^cancelled by alice \(cancel request /),
        wasExecutionFailure: false,
      },
    });
    expectAuditTrail(result.record, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.ExecutionCancelled,
      AuditEventType.WorkflowFailed,
    ]);
    // Whichever recorded the stop (this cancel or the run's ABORTED status event), it is alice's.
    expect(result.record.execution.cancelledBy).toBe('alice');
    expect(result.record.events[2]?.actor).toBe('alice');
    expect((await t.engine.driver.describe(t.arnOf(running.record.execution.id)))?.status).toBe('ABORTED');
    // The ABORTED status event that followed changed nothing.
    expect(await t.store.getExecution(running.record.execution.id)).toEqual(result.record);
    const state = await t.store.getTarget(target);
    expect(state.holder).toBeUndefined();
    expect(state.blockReason).toBeUndefined();
    expect(state.consecutiveFailures).toBe(0);
  });

  it('cancels an execution that has not started yet, and a start that comes late stops its run', async () => {
    const admission = await t.store.admit({
      request: request(uniqueTarget(), { workflowId: 'wait', parameters: { SECONDS: '600' } }),
      executionId: crypto.randomUUID(),
      at: t.clock.now(),
    });
    if (!admission.admitted) throw new Error('not admitted');

    const cancelled = await cancelExecution(t.engine, {
      executionId: admission.record.execution.id,
      requestedBy: 'bob',
    });
    const lateStart = await startExecution(t.engine, admission.record);

    expect(cancelled.record.execution).toMatchObject({
      phase: 'Failed',
      cancelledBy: 'bob',
      failureDetails: { reason: 'Cancelled' },
    });
    expectAuditTrail(cancelled.record, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionCancelled,
      AuditEventType.WorkflowFailed,
    ]);
    expect(cancelled.record.events[1]?.actor).toBe('bob');
    expect(lateStart.record.execution.phase).toBe('Failed');
    const runs = t.sfn.listExecutions({
      stateMachineArn: t.engine.stateMachines.stateMachineArn({ id: 'wait', version: '1' }),
    }).executions;
    expect(runs.filter((r) => r.status === 'RUNNING' && r.name.endsWith('-1'))).toEqual([]);
  });

  it('refuses to cancel an execution that has already ended, and one that does not exist', async () => {
    const done = await requestExecution(t.engine, {
      targetResource: uniqueTarget(),
      workflowId: 'noop',
      requestedBy: 'test',
      source: 'api',
    });
    await t.settle();

    await expect(
      cancelExecution(t.engine, { executionId: done.record.execution.id, requestedBy: 'carol' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      cancelExecution(t.engine, { executionId: 'no-such-execution', requestedBy: 'carol' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
