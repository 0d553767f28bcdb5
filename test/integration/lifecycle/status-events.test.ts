import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StatusChangeEvent } from '../../../lib/contract/events.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import { observationFromStatusEvent } from '../../../lib/handlers/status-observation.js';
import { completeExecution } from '../../../lib/use-cases/complete-execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { expectAuditTrail, uniqueTarget } from '../../support/lifecycle.js';

describe('status events: duplicated, reordered, incomplete', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine({ deliverEvents: false });
  });
  afterAll(() => t.close());

  /** Runs a workflow with event delivery held back, and returns the events Step Functions emitted for it. */
  async function runHoldingEvents(workflowId: string, parameters: Record<string, string> = {}) {
    const target = uniqueTarget();
    const result = await requestExecution(t.engine, {
      targetResource: target,
      workflowId,
      parameters,
      requestedBy: 'test',
      source: 'api',
    });
    await t.settle();
    const arn = t.arnOf(result.record.execution.id);
    const events = t.events.filter((e) => e.detail.executionArn === arn);
    return { id: result.record.execution.id, target, events };
  }

  async function deliver(events: StatusChangeEvent[]) {
    for (const event of events) await completeExecution(t.engine, observationFromStatusEvent(event));
  }

  it.each([
    [
      'noop',
      {},
      'Completed',
      [AuditEventType.SelectionCompleted, AuditEventType.ExecutionStarted, AuditEventType.WorkflowCompleted],
    ],
    [
      'fail',
      { ERROR: 'States.Timeout' },
      'Failed',
      [AuditEventType.SelectionCompleted, AuditEventType.ExecutionStarted, AuditEventType.WorkflowFailed],
    ],
  ] as const)(
    '%s: each event delivered twice, forwards or in reverse, gives the same final state and one audit event per transition',
    async (workflowId, parameters, phase, trail) => {
      const forwards = await runHoldingEvents(workflowId, parameters);
      const backwards = await runHoldingEvents(workflowId, parameters);
      expect(forwards.events.map((e) => e.detail.status)).toEqual([
        'RUNNING',
        phase === 'Completed' ? 'SUCCEEDED' : 'FAILED',
      ]);

      await deliver([...forwards.events, ...forwards.events]);
      await deliver([...backwards.events].reverse().flatMap((e) => [e, e]));

      const a = (await t.store.getExecution(forwards.id))!;
      const b = (await t.store.getExecution(backwards.id))!;
      for (const record of [a, b]) {
        expect(record.execution.phase).toBe(phase);
        expectAuditTrail(record, [...trail]);
      }
      expect(b.execution.failureDetails).toEqual(
        a.execution.failureDetails && { ...a.execution.failureDetails, failedAt: b.execution.failureDetails!.failedAt },
      );
      expect((await t.store.getTarget(forwards.target)).holder).toBeUndefined();
      expect((await t.store.getTarget(backwards.target)).lastOutcome).toBe(phase);
    },
  );

  it('completes at the event time when the event has no stopDate: completion time is never left unset', async () => {
    const { id, events } = await runHoldingEvents('noop');
    const succeeded = events.find((e) => e.detail.status === 'SUCCEEDED')!;
    const withoutStopDate: StatusChangeEvent = {
      ...succeeded,
      time: '2026-01-01T00:10:00Z',
      detail: { ...succeeded.detail, stopDate: null },
    };

    await deliver([withoutStopDate]);

    const record = await t.store.getExecution(id);
    expect(record?.execution).toMatchObject({ phase: 'Completed', completionTime: '2026-01-01T00:10:00.000Z' });
  });

  it('ignores status events of executions Lockstep did not start', async () => {
    const { events } = await runHoldingEvents('noop');
    const foreign: StatusChangeEvent = { ...events[0]!, detail: { ...events[0]!.detail, input: '{"orderId": 7}' } };

    const result = await completeExecution(t.engine, observationFromStatusEvent(foreign));

    expect(result.kind).toBe('ignored');
  });
});
