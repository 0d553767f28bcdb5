import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIdempotencyTable } from '../../../lib/adapters/dynamodb/table-setup.js';
import { createStatusHandler } from '../../../lib/handlers/status-handler.js';
import { createTriggerHandler } from '../../../lib/handlers/trigger-handler.js';
import { requestExecution } from '../../../lib/use-cases/request-execution.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';
import { uniqueTarget } from '../../support/lifecycle.js';

describe('the Lambda handlers with real event shapes', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await createTestEngine({ deliverEvents: false });
    await ensureIdempotencyTable(t.dynamodb, 'lockstep-idempotency');
  });
  afterAll(() => t.close());

  it('status: completes the execution of a Step Functions status event and hands its keys to the logger', async () => {
    const target = uniqueTarget();
    const started = await requestExecution(t.engine, {
      targetResource: target,
      workflowId: 'noop',
      correlationId: 'corr-1',
      requestedBy: 'test',
      source: 'api',
    });
    await t.sfn.idle();
    const succeeded = t.events.find(
      (e) => e.detail.status === 'SUCCEEDED' && e.detail.input?.includes(started.record.execution.id),
    )!;
    const keys: Record<string, string>[] = [];

    const result = await createStatusHandler({ engine: t.engine, appendLogKeys: (k) => void keys.push(k) })(
      JSON.parse(JSON.stringify(succeeded)),
    );

    expect(result).toMatchObject({ kind: 'transition', changed: true, record: { execution: { phase: 'Completed' } } });
    expect(keys).toEqual([
      { executionId: started.record.execution.id, targetResource: target, correlationId: 'corr-1' },
    ]);
  });

  it('status: refuses an event that is not a status change', async () => {
    await expect(createStatusHandler({ engine: t.engine })({ 'detail-type': 'Something Else' })).rejects.toThrow();
  });

  it('trigger: admits from a WorkflowExecution Requested event, once per event id, and hands its keys to the logger', async () => {
    const keys: Record<string, string>[] = [];
    const trigger = createTriggerHandler({
      engine: t.engine,
      idempotencyStore: new DynamoDBPersistenceLayer({ tableName: 'lockstep-idempotency', awsSdkV3Client: t.dynamodb }),
      appendLogKeys: (k) => void keys.push(k),
    });
    const target = uniqueTarget();
    const event: EventBridgeEvent<string, unknown> = {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'WorkflowExecution Requested',
      source: 'alerting.pipeline',
      account: '000000000000',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { targetResource: target, workflowId: 'noop', correlationId: 'alert-9' },
    };

    const first = await trigger(event);
    const redelivered = await trigger(event);

    expect(first).toMatchObject({ kind: 'started' });
    expect(redelivered).toEqual(first);
    expect((await t.store.listExecutions({ targetResource: target, limit: 10 })).items).toHaveLength(1);
    expect(keys[0]).toEqual({
      executionId: (first as { executionId: string }).executionId,
      targetResource: target,
      correlationId: 'alert-9',
    });
    await t.settle();
  });
});

describe('npm start without Java', () => {
  it('exits at once with a message that says what is missing and what to do', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/tmp' },
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs Java 17 or later.*DYNAMODB_ENDPOINT/s);
  });
});
