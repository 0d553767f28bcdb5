import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionItem, targetKey } from '../../../lib/adapters/dynamodb/items.js';
import { pendingKeys } from '../../../lib/adapters/dynamodb/target-standing.js';
import { indexValues } from '../../../lib/adapters/dynamodb/target-writes.js';
import { AuditEventType } from '../../../lib/domain/audit.js';
import type { ExecutionRecord } from '../../../lib/domain/execution.js';
import { observationFromStatusEvent } from '../../../lib/handlers/status-observation.js';
import { completeExecution } from '../../../lib/use-cases/complete-execution.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { sweep } from '../../../lib/use-cases/sweep.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { expectAuditTrail, request, uniqueTarget } from '../../support/lifecycle.js';

describe('the sweeper repairs what events missed', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine();
  });
  afterAll(() => t.close());

  const run = (workflowId: string, parameters: Record<string, string> = {}, timeoutSeconds?: number) =>
    requestExecution(t.engine, {
      targetResource: uniqueTarget(),
      workflowId,
      parameters,
      requestedBy: 'test',
      source: 'api',
      ...(timeoutSeconds && { timeoutSeconds }),
    });

  it('completes an execution whose status events were all lost', async () => {
    t.setDelivery(false);
    const result = await run('noop');
    await t.settle();
    t.setDelivery(true);
    // Not even its start was recorded: the admission answers once the run is started, and the RUNNING event was lost too.
    expect((await t.store.getExecution(result.record.execution.id))?.execution.phase).toBe('Pending');
    expect(
      (await sweep(t.engine)).repairs.map((r) => r.executionId),
      'left alone within the start grace',
    ).not.toContain(result.record.execution.id);

    t.clock.advanceSeconds(t.engine.policy.startGraceSeconds);
    const report = await sweep(t.engine);

    expect(report.repairs).toContainEqual(
      expect.objectContaining({ executionId: result.record.execution.id, repair: 'finished-start' }),
    );
    const record = await t.store.getExecution(result.record.execution.id);
    expect(record?.execution.phase).toBe('Completed');
    expectAuditTrail(record!, [
      AuditEventType.SelectionCompleted,
      AuditEventType.ExecutionStarted,
      AuditEventType.WorkflowCompleted,
    ]);
  });

  it('completes an execution whose start was recorded and whose end event was lost', async () => {
    t.setDelivery(false);
    const result = await run('noop');
    await t.settle();
    const running = t.events.find(
      (e) => e.detail.status === 'RUNNING' && e.detail.input?.includes(result.record.execution.id),
    )!;
    await completeExecution(t.engine, observationFromStatusEvent(running));
    t.setDelivery(true);
    expect((await t.store.getExecution(result.record.execution.id))?.execution.phase).toBe('Running');

    const report = await sweep(t.engine);

    expect(report.repairs).toContainEqual(
      expect.objectContaining({ executionId: result.record.execution.id, repair: 'missed-completion' }),
    );
    expect((await t.store.getExecution(result.record.execution.id))?.execution.phase).toBe('Completed');
  });

  it('stops an execution past its timeoutSeconds and fails it with DeadlineExceeded', async () => {
    const result = { record: await t.recorded((await run('wait', { SECONDS: '600' }, 30)).record.execution.id) };
    expect((await sweep(t.engine)).repairs.map((r) => r.executionId)).not.toContain(result.record.execution.id);

    t.clock.advanceSeconds(30);
    const report = await sweep(t.engine);
    await t.settle();

    expect(report.repairs).toContainEqual(
      expect.objectContaining({ executionId: result.record.execution.id, repair: 'deadline' }),
    );
    const record = await t.store.getExecution(result.record.execution.id);
    expect(record?.execution).toMatchObject({
      phase: 'Failed',
      failureDetails: { reason: 'DeadlineExceeded', wasExecutionFailure: true },
    });
    expect((await t.engine.driver.describe(result.record.execution.executionRef!.arn!))?.status).toBe('ABORTED');
    expect(record!.events).toHaveLength(3);
  });

  it('finishes a start that crashed between the lock and StartExecution, exactly once', async () => {
    const target = uniqueTarget();
    const admission = await t.store.admit({
      request: request(target),
      executionId: crypto.randomUUID(),
      at: t.clock.now(),
    });
    if (!admission.admitted) throw new Error('not admitted');
    expect((await sweep(t.engine)).repairs.map((r) => r.executionId)).not.toContain(admission.record.execution.id); // still within the start grace

    t.clock.advanceSeconds(t.engine.policy.startGraceSeconds);
    const first = await sweep(t.engine);
    await t.settle();
    const second = await sweep(t.engine);

    expect(first.repairs).toContainEqual(
      expect.objectContaining({ executionId: admission.record.execution.id, repair: 'finished-start' }),
    );
    expect(second.repairs.map((r) => r.executionId)).not.toContain(admission.record.execution.id);
    const record = await t.store.getExecution(admission.record.execution.id);
    expect(record?.execution.phase).toBe('Completed');
    const runs = t.sfn.listExecutions({
      stateMachineArn: t.engine.stateMachines.stateMachineArn({ id: 'noop', version: '1' }),
    }).executions;
    expect(runs.filter((r) => r.name === record!.execution.executionRef!.name)).toHaveLength(1);
  });

  it('releases an orphan lock whose holder is already terminal', async () => {
    const result = await run('noop');
    await t.settle();
    const done = (await t.store.getExecution(result.record.execution.id))!;
    // Put the lock back as a crashed writer of an older version could have left it.
    const doc = DynamoDBDocumentClient.from(t.dynamodb);
    await doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: targetKey(done.execution.targetResource),
        UpdateExpression: 'SET holder = :holder, activePK = :activePK, activeSK = :activeSK',
        ExpressionAttributeValues: {
          ':holder': { execution: { ...done.execution, phase: 'Pending' }, events: done.events.slice(0, 1) },
          ...indexValues(pendingKeys(done.execution.id)),
        },
      }),
    );

    const report = await sweep(t.engine);

    expect(report.repairs).toContainEqual(
      expect.objectContaining({ executionId: done.execution.id, repair: 'orphan-lock' }),
    );
    expect((await t.store.getTarget(done.execution.targetResource)).holder).toBeUndefined();
  });

  it('reads only active executions: with 10,000 terminal and 10 active, a sweep reads at most 2 items per active execution', async () => {
    await t.settle();
    expect((await sweep(t.engine)).examined).toBe(0);
    const doc = DynamoDBDocumentClient.from(t.dynamodb);
    const terminal = Array.from({ length: 10_000 }, (_, i): ExecutionRecord => {
      const id = `history-${i}`;
      const at = t.clock.now().toISOString();
      return {
        execution: {
          ...request(`history/deployment/w${i % 100}`),
          id,
          correlationId: id,
          phase: 'Completed',
          createdAt: at,
          startTime: at,
          completionTime: at,
          durationSeconds: 0,
        },
        fencingToken: i + 1,
        events: [],
      };
    });
    const batches = Array.from({ length: terminal.length / 25 }, (_, b) => terminal.slice(b * 25, b * 25 + 25));
    for (let i = 0; i < batches.length; i += 16) {
      await Promise.all(
        batches.slice(i, i + 16).map((batch) =>
          doc.send(
            new BatchWriteCommand({
              RequestItems: { [t.tableName]: batch.map((r) => ({ PutRequest: { Item: executionItem(r, 3600) } })) },
            }),
          ),
        ),
      );
    }
    const active = await Promise.all(Array.from({ length: 10 }, () => run('wait', { SECONDS: '600' })));
    await t.flushEvents();

    const mark = t.meter.position();
    const report = await sweep(t.engine);
    const cost = t.meter.since(mark);

    expect(report.examined).toBe(10);
    expect(report.repairs).toEqual([]);
    expect(cost.itemsRead).toBeLessThanOrEqual(2 * active.length);
    console.log(
      `sweep over 10 active and 10,000 terminal executions: ${cost.itemsRead} items read in ${cost.requests} DynamoDB requests`,
    );
  }, 180_000); // 10,000 items written, and read again from the table's stream by the outbox
});
